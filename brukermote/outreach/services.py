"""Contacts, consent, erasure, subject access, retention and import; usable from views, the CLI and tests."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from ..core import languages, validation
from ..core.jobs import discard_personal_results
from ..core.models import AuditEntry
from ..core.phone import PhoneError, can_receive_sms, display_phone, normalise_phone
from ..core.timeutil import utcnow
from ..extensions import db
from .models import Consent, ConsentMethod, ConsentPurpose, Contact, ContactImport


class ContactError(ValueError):
    """A request the domain refuses, with a message fit for the user."""


#: Called with the contact just before it is erased; later domains (registrations, SMS log …)
#: append a function here that deletes their own rows about that person.
erasure_listeners: list[Callable[[Contact], None]] = []
#: Other domains add what they hold about a person to a subject-access export: ``fn(contact) -> dict``.
access_listeners: list[Callable[[Contact], dict]] = []

IMPORT_TTL = dt.timedelta(hours=1)
MAX_IMPORT_ROWS = 5000


# -- audit --------------------------------------------------------------------------------------

def audit(action: str, contact_id: int | None = None, user=None, detail: str = "") -> AuditEntry:
    """Record who did what to whom: the target is only ``contact:<id>``, never personal data."""
    entry = AuditEntry(
        action=action,
        target=f"contact:{contact_id}" if contact_id is not None else "",
        user_id=getattr(user, "id", None),
        user_label=(getattr(user, "email", None) or "system") if user is not None else "system",
        detail=detail,
    )
    db.session.add(entry)
    return entry


# -- contacts and consent -----------------------------------------------------------------------

@dataclass
class ContactData:
    name: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    phone: str | None = None  # E.164 or None
    language: str = "nb"


def create_contact(data: ContactData) -> Contact:
    contact = Contact()
    _apply(contact, data)
    db.session.add(contact)
    db.session.flush()
    return contact


def update_contact(contact: Contact, data: ContactData) -> None:
    _apply(contact, data)
    db.session.flush()


def _apply(contact: Contact, data: ContactData) -> None:
    if not data.name.strip():
        raise ContactError(_("A contact needs a name."))
    if data.language not in languages.LANGUAGES:
        raise ContactError(_("Unknown language: %(code)s", code=data.language))
    contact.name = data.name.strip()
    contact.street = (data.street or "").strip()
    contact.postcode = (data.postcode or "").strip()
    contact.city = (data.city or "").strip()
    contact.phone = data.phone or None
    contact.language = data.language


def give_consent(contact: Contact, purpose: ConsentPurpose, method: ConsentMethod, wording_version: str,
                 given_at: dt.datetime | None = None) -> Consent:
    if purpose == ConsentPurpose.news_sms and not contact.phone:
        raise ContactError(_("Consent to SMS needs a phone number."))
    if purpose == ConsentPurpose.news_sms and not can_receive_sms(contact.phone):
        raise ContactError(_("%(phone)s is a landline: it cannot receive SMS.", phone=display_phone(contact.phone)))
    if purpose == ConsentPurpose.news_post and not contact.has_postal_address:
        raise ContactError(_("Consent to letters needs a full postal address."))
    if contact.consents_to(purpose):  # after STOP, consenting to SMS again is allowed (an opt-in)
        raise ContactError(_("This consent is already given."))
    consent = Consent(purpose=purpose, method=method, wording_version=wording_version.strip(),
                      given_at=given_at or utcnow())
    contact.consents.append(consent)
    if purpose == ConsentPurpose.news_sms:
        contact.sms_opted_out_at = None  # consenting again is an opt-in
    contact.last_activity_at = utcnow()
    db.session.flush()
    return consent


def withdraw_consent(consent: Consent) -> None:
    """Withdrawal keeps the record (when it was given and how) and notes when it ended."""
    if consent.withdrawn_at is None:
        consent.withdrawn_at = utcnow()
        db.session.flush()


def opt_out_phone(e164: str) -> int:
    """The number sent STOP: mark every contact with it opted out of SMS. Returns how many."""
    now = utcnow()
    contacts = db.session.scalars(sa.select(Contact).where(Contact.phone == e164)).all()
    for contact in contacts:
        if contact.sms_opted_out_at is None:
            contact.sms_opted_out_at = now
    db.session.flush()
    return len(contacts)


# -- erasure and access -------------------------------------------------------------------------

def erase_contact(contact: Contact, user=None, action: str = "contact.erase") -> int:
    """Remove the person completely: listeners' rows, consents, the contact. The audit keeps the id."""
    contact_id = contact.id
    for listener in list(erasure_listeners):
        listener(contact)
    discard_pending_imports_holding(contact)
    db.session.delete(contact)  # consents go by cascade
    discard_personal_results(_("The file was deleted because a person in it was erased. Make it again if you need it."))
    db.session.flush()
    audit(action, contact_id, user)
    return contact_id


def _folded(text) -> str:
    return " ".join(str(text or "").split()).casefold()


def _holds(cells: list, name: str, phone: str | None) -> bool:
    """The uploaded row has a cell with the person's name, or their phone number however written."""
    tail = "".join(ch for ch in phone or "" if ch.isdigit())[-8:]
    for cell in cells:
        if name and _folded(cell) == name:
            return True
        digits = "".join(ch for ch in str(cell or "") if ch.isdigit())
        if tail and len(digits) >= 8 and digits.endswith(tail):
            try:
                if normalise_phone(str(cell)) == phone:
                    return True
            except PhoneError:
                continue
    return False


def discard_pending_imports_holding(contact: Contact) -> int:
    """Delete uploads waiting between preview and commit (``ContactImport``, in the database, never on
    disk) that have a row with the person's name or phone number: erased means gone from those too."""
    name = _folded(contact.name)
    held = [pending for pending in db.session.scalars(sa.select(ContactImport))
            if any(_holds(cells, name, contact.phone) for _number, cells in (pending.payload or {}).get("rows", []))]
    for pending in held:
        db.session.delete(pending)
    db.session.flush()
    return len(held)


def possibly_same_person(contact: Contact) -> list[Contact]:
    """Other records with the same phone number or the same name: the public form never links a sign-up
    to an existing record (anyone could type anyone's number), so one person may have several."""
    name = (contact.name or "").strip().lower()
    same = [sa.func.lower(sa.func.trim(Contact.name)) == name] if name else []
    if contact.phone:
        same.append(Contact.phone == contact.phone)
    if not same:
        return []
    return list(db.session.scalars(sa.select(Contact).where(Contact.id != contact.id, sa.or_(*same))
                                   .order_by(Contact.id)))


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_contact(contact: Contact) -> dict:
    """Everything held about the person, for a subject-access request."""
    from .models import Registration

    registrations = db.session.scalars(sa.select(Registration).where(Registration.contact_id == contact.id)
                                       .order_by(Registration.id)).all()
    record = {
        "id": contact.id,
        "name": contact.name,
        "street": contact.street,
        "postcode": contact.postcode,
        "city": contact.city,
        "phone": contact.phone,
        "language": contact.language,
        "sms_opted_out_at": _iso(contact.sms_opted_out_at),
        "last_activity_at": _iso(contact.last_activity_at),
        "created_at": _iso(contact.created_at),
        "updated_at": _iso(contact.updated_at),
        "consents": [
            {"purpose": c.purpose.value, "method": c.method.value, "wording_version": c.wording_version,
             "given_at": _iso(c.given_at), "withdrawn_at": _iso(c.withdrawn_at),
             "awaiting_confirmation": c.awaiting_confirmation, "confirmed_at": _iso(c.confirmed_at)}
            for c in contact.consents
        ],
        "registrations": [
            {"meeting_id": r.meeting_id, "channel": r.channel.value, "adults": r.adults, "children": r.children,
             "interpreter_language": r.interpreter_language, "childcare_needed": r.childcare_needed,
             "dietary": r.dietary, "came": r.came}
            for r in registrations
        ],
    }
    record["audit_log"] = [
        {"at": _iso(entry.at), "action": entry.action, "by": entry.user_label, "detail": entry.detail}
        for entry in db.session.scalars(sa.select(AuditEntry).where(AuditEntry.target == f"contact:{contact.id}")
                                        .order_by(AuditEntry.at, AuditEntry.id))
    ]
    record["mail_merges"] = _mail_merges_while_consenting(contact)
    for listener in access_listeners:
        record.update(listener(contact))
    return record


#: Said in the subject-access export beside the mail merges, because they are inferred, not recorded.
MAIL_MERGES_NOTE = ("Derived, not recorded: mail merges do not store whom they included. Listed are the mail "
                    "merges with names and addresses (letters, envelopes, labels) made while this person had "
                    "consent to letters by post, which by default include everyone with that consent. A merge "
                    "of chosen contacts may have left the person out.")


def _mail_merges_while_consenting(contact: Contact) -> dict:
    """Jobs record no recipients (and the schema has no column for them), so derive them: personal-data
    jobs created while one of the person's consents to letters was in force."""
    from ..core.jobs import Job

    periods = [(c.given_at, c.withdrawn_at) for c in contact.consents if c.purpose == ConsentPurpose.news_post]
    if not periods:
        return {"note": MAIL_MERGES_NOTE, "jobs": []}
    in_force = sa.or_(*[sa.and_(Job.created_at >= given, *([Job.created_at < withdrawn] if withdrawn else []))
                        for given, withdrawn in periods])
    jobs = db.session.scalars(sa.select(Job).where(Job.personal_data.is_(True), in_force)
                              .order_by(Job.created_at, Job.id))
    return {"note": MAIL_MERGES_NOTE, "jobs": [
        {"id": job.id, "kind": job.kind, "title": job.title, "meeting_id": job.meeting_id,
         "created_at": _iso(job.created_at), "state": job.state.value,
         "file_still_held": bool(job.result_file)} for job in jobs]}


# -- overview (no personal data) ----------------------------------------------------------------

@dataclass
class Overview:
    total: int
    by_language: list[tuple[str, int]]
    by_purpose: list[tuple[ConsentPurpose, int]]
    sms_opted_out: int


def _consent_in_force():
    """Not withdrawn, and, for SMS, the number has not sent STOP since (STOP ends the SMS consent in effect;
    consenting again afterwards is an opt-in that clears the stop), and not still waiting for the number's
    yes (a consent from the public form). Needs Contact in the query."""
    return sa.and_(Consent.withdrawn_at.is_(None), Consent.awaiting_confirmation.is_(False),
                   sa.or_(Consent.purpose != ConsentPurpose.news_sms, Contact.sms_opted_out_at.is_(None)))


def overview() -> Overview:
    total = db.session.scalar(sa.select(sa.func.count(Contact.id))) or 0
    by_language = db.session.execute(
        sa.select(Contact.language, sa.func.count(Contact.id)).group_by(Contact.language)
        .order_by(sa.func.count(Contact.id).desc(), Contact.language)
    ).all()
    active = dict(db.session.execute(
        sa.select(Consent.purpose, sa.func.count(sa.distinct(Consent.contact_id))).join(Contact)
        .where(_consent_in_force()).group_by(Consent.purpose)
    ).all())
    opted_out = db.session.scalar(sa.select(sa.func.count(Contact.id)).where(Contact.sms_opted_out_at.is_not(None))) or 0
    return Overview(total, [(lang, n) for lang, n in by_language], [(p, active.get(p, 0)) for p in ConsentPurpose],
                    opted_out)


# -- retention ----------------------------------------------------------------------------------

def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def purge_candidates(months: int, now: dt.datetime | None = None) -> list[Contact]:
    """Contacts with no active consent and no activity for ``months`` months."""
    cutoff = months_before(now or utcnow(), months)
    active = sa.select(Consent.id).where(Consent.contact_id == Contact.id, _consent_in_force()).exists()
    last = sa.func.coalesce(Contact.last_activity_at, Contact.created_at)
    return list(db.session.scalars(sa.select(Contact).where(~active, last < cutoff).order_by(Contact.id)))


def purge(months: int, dry_run: bool = False, now: dt.datetime | None = None) -> list[int]:
    ids = [c.id for c in purge_candidates(months, now)]
    if not dry_run:
        for contact in purge_candidates(months, now):
            erase_contact(contact, None, action="contact.purge")
        purge_stale_imports(now)
    return ids


# -- import -------------------------------------------------------------------------------------

FIELDS = ("name", "street", "postcode", "city", "phone", "language")

#: Header words (lower-case, accents kept) that suggest a column.
HEADER_GUESSES = {
    "name": ("navn", "name", "fullt navn", "full name", "magac"),
    "street": ("adresse", "address", "gateadresse", "street", "postadresse"),
    "postcode": ("postnr", "postnummer", "postcode", "post code", "zip", "postnr."),
    "city": ("poststed", "sted", "city", "town", "by"),
    "phone": ("telefon", "mobil", "mobilnummer", "telefonnummer", "tlf", "tlf.", "phone", "mobile"),
    "language": ("språk", "sprak", "language", "morsmål", "luqad"),
}


class ImportFileError(ContactError):
    pass


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(data: bytes, filename: str = "") -> tuple[list[str], list[list]]:
    """Headers and ``[row_number, cells]`` rows as the user sees them in the file (header = row 1)."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        rows = _read_xlsx(data)
    else:
        rows = _read_csv(data)
    if not rows or not any(rows[0][1]):
        raise ImportFileError(_("The file is empty or its first row (the headers) is blank."))
    headers = rows[0][1]
    body = [[number, cells] for number, cells in rows[1:] if any(c for c in cells)]
    if len(body) > MAX_IMPORT_ROWS:
        raise ImportFileError(_("The file has more than %(n)d rows.", n=MAX_IMPORT_ROWS))
    width = len(headers)
    body = [[number, (cells + [""] * width)[:width]] for number, cells in body]
    return headers, body


def _read_xlsx(data: bytes):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the user's file problem
        raise ImportFileError(_("The file could not be read as an Excel workbook (.xlsx).")) from None
    try:
        sheet = workbook.worksheets[0]
        return [(index, [_cell(v) for v in row]) for index, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def _utf16_without_bom(sample: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when NUL bytes sit in every other position (text mostly in Latin script,
    saved as UTF-16 without a byte order mark), else None."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0:pairs * 2:2].count(0), sample[1:pairs * 2:2].count(0)
    if odd >= pairs * 0.3 and even <= pairs * 0.05:
        return "utf-16-le"
    if even >= pairs * 0.3 and odd <= pairs * 0.05:
        return "utf-16-be"
    return None


def decode_csv(data: bytes) -> str:
    """The text of a CSV or tab-separated file in the encodings offices save them in, or ImportFileError.

    UTF-8 with or without a BOM; UTF-16 with a BOM (Excel's "Unicode text", tab-separated) or without
    one (recognised by its NUL bytes); otherwise an 8-bit file: Windows-1252 when it uses the bytes
    0x80–0x9F (Windows' printable € ‚ „ … ’ “ ” – —, control characters in Latin-1), else Latin-1 (for
    Norwegian letters the two agree). What fits none of these is refused rather than imported garbled."""
    refused = ImportFileError(_("The file's character encoding could not be recognised. Save it as "
                                "«CSV UTF-8» (or as Unicode text) and upload it again."))
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        if b"\x00" in data:
            encoding = _utf16_without_bom(data[:8192])
            if encoding is None:
                raise refused
            return data.decode(encoding)
    except UnicodeDecodeError:
        raise refused from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if any(0x80 <= byte <= 0x9F for byte in data):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: in neither
            raise refused from None
    return data.decode("latin-1")


def _read_csv(data: bytes):
    text = decode_csv(data)
    if "\x00" in text:
        raise ImportFileError(_("The file contains NUL characters; it is not a text file a spreadsheet saves."))
    header = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";"
    if delimiter not in header:
        # The sniffer can be misled by commas inside names or addresses; the header row decides.
        delimiter = next((d for d in ";,\t" if d in header), ";")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(index, [_cell(v) for v in row]) for index, row in enumerate(reader, start=1)]


def guess_mapping(headers: list[str]) -> dict[str, int | None]:
    mapping: dict[str, int | None] = {}
    normalised = [h.strip().lower().rstrip(":") for h in headers]
    for key in FIELDS:
        mapping[key] = next((i for i, h in enumerate(normalised) if h in HEADER_GUESSES[key]), None)
        if mapping[key] is None:
            mapping[key] = next((i for i, h in enumerate(normalised)
                                 if any(h.startswith(g) for g in HEADER_GUESSES[key] if len(g) > 3)), None)
    return mapping


def _language_code(raw: str) -> str | None:
    text = raw.strip().casefold()
    for lang in languages.all_languages():
        if text in {lang.code.casefold(), lang.name_nb.casefold(), lang.name_en.casefold(), lang.native_name.casefold()}:
            return lang.code
    return None


@dataclass
class ImportRow:
    number: int
    data: ContactData | None = None
    errors: list[str] = field(default_factory=list)
    #: Set when the row matches a contact already held: it is skipped, not an error.
    existing_id: int | None = None

    @property
    def status(self) -> str:
        return "error" if self.errors else ("skip" if self.existing_id else "new")


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    mapping_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mapping_errors and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def new_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.status == "new"]

    @property
    def skipped_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.status == "skip"]


def _key(name: str, postcode: str) -> tuple[str, str]:
    return (" ".join(name.casefold().split()), postcode.strip())


def preview_import(rows: list[list], mapping: dict[str, int | None], default_language: str = "nb") -> ImportPreview:
    preview = ImportPreview(rows=[])
    if mapping.get("name") is None:
        preview.mapping_errors.append(_("Choose the column that holds the name."))
        return preview
    # The same person: the same name at the same postcode, or the same name with the same phone. A phone
    # alone is not a person: families share one, and each member may be a contact of their own.
    existing_by_name_phone: dict[tuple[str, str], int] = {}
    existing_by_key: dict[tuple[str, str], int] = {}
    for cid, n, pc, ph in db.session.execute(sa.select(Contact.id, Contact.name, Contact.postcode, Contact.phone)):
        existing_by_key.setdefault(_key(n, pc), cid)
        if ph:
            existing_by_name_phone.setdefault(_key(n, ph), cid)
    seen_name_phone: dict[tuple[str, str], int] = {}
    seen_key: dict[tuple[str, str], int] = {}

    def get(cells, key):
        index = mapping.get(key)
        return cells[index].strip() if index is not None and 0 <= index < len(cells) else ""

    for number, cells in rows:
        row = ImportRow(number=number)
        name = get(cells, "name")
        postcode = get(cells, "postcode")
        if postcode.isdigit() and len(postcode) < 4:
            postcode = postcode.zfill(4)  # spreadsheets drop the leading zero of 0596
        if not name:
            row.errors.append(_("Row %(row)d: the name is missing.", row=number))
        phone = None
        raw_phone = get(cells, "phone")
        if raw_phone:
            try:
                phone = normalise_phone(raw_phone)
            except PhoneError as exc:
                row.errors.append(_("Row %(row)d: %(error)s", row=number, error=str(exc)))
        language = default_language
        raw_language = get(cells, "language")
        if raw_language:
            language = _language_code(raw_language)
            if language is None:
                row.errors.append(_("Row %(row)d: unknown language «%(value)s».", row=number, value=raw_language))
        if name:
            key = _key(name, postcode)
            name_phone = _key(name, phone) if phone else None
            earlier = (seen_name_phone.get(name_phone) if name_phone else None) or seen_key.get(key)
            if earlier:
                row.errors.append(_("Row %(row)d is the same person as row %(other)d.", row=number, other=earlier))
            else:
                if name_phone:
                    seen_name_phone[name_phone] = number
                seen_key[key] = number
            row.existing_id = (existing_by_name_phone.get(name_phone) if name_phone else None) or existing_by_key.get(key)
        # The contact form's limits, with the row's number: control characters and bidi controls refused,
        # no longer than the columns (validation).
        texts = {"name": name, "street": get(cells, "street"), "postcode": postcode, "city": get(cells, "city")}
        for key, label, limit in (("name", _("Name"), 200), ("street", _("Street address"), 300),
                                  ("postcode", _("Postcode"), 10), ("city", _("City"), 100)):
            problem = validation.text_problem(label, texts[key], limit, multiline=key == "street")
            if problem:
                row.errors.append(_("Row %(row)d: %(error)s", row=number, error=problem))
        row.data = ContactData(name=texts["name"], street=texts["street"], postcode=texts["postcode"],
                               city=texts["city"], phone=phone, language=language or default_language)
        preview.rows.append(row)
    return preview


def commit_import(preview: ImportPreview, purposes: list[ConsentPurpose], wording_version: str, user=None) -> list[Contact]:
    """All or nothing: refuses if any row has an error; skips rows matching existing contacts."""
    if not preview.ok:
        raise ContactError(_("Nothing was imported: %(n)d rows have errors.", n=preview.error_count))
    created = []
    now = utcnow()
    for row in preview.new_rows:
        contact = create_contact(row.data)
        for purpose in purposes:
            if purpose == ConsentPurpose.news_sms and not (contact.phone and can_receive_sms(contact.phone)):
                continue
            if purpose == ConsentPurpose.news_post and not contact.has_postal_address:
                continue
            contact.consents.append(Consent(purpose=purpose, method=ConsentMethod.import_,
                                            wording_version=wording_version.strip(), given_at=now))
        created.append(contact)
    db.session.flush()
    for contact in created:
        audit("contact.import", contact.id, user)
    return created


def save_pending(headers: list[str], rows: list[list], filename: str, user=None) -> ContactImport:
    purge_stale_imports()
    pending = ContactImport(token=secrets.token_urlsafe(24), created_by_id=getattr(user, "id", None),
                            payload={"filename": filename, "headers": headers, "rows": rows})
    db.session.add(pending)
    db.session.flush()
    return pending


def load_pending(token: str, user=None) -> ContactImport | None:
    pending = db.session.scalar(sa.select(ContactImport).where(ContactImport.token == token))
    if pending is None or pending.created_at < utcnow() - IMPORT_TTL:
        return None
    if user is not None and pending.created_by_id not in (None, user.id):
        return None
    return pending


def discard_pending(pending: ContactImport) -> None:
    db.session.delete(pending)
    db.session.flush()


def purge_stale_imports(now: dt.datetime | None = None) -> int:
    result = db.session.execute(sa.delete(ContactImport).where(ContactImport.created_at < (now or utcnow()) - IMPORT_TTL))
    return result.rowcount or 0


