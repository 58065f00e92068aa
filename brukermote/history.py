"""Years of invented history for benchmarks and manual testing: ``brukermote demo load --years 10``.

An office that has used the system for ten years has about 120 meetings, 5 000 contacts and 20 000
registrations, with mailings, posters, interpreter bookings, SMS, replies, attendance, feedback and
audit entries in proportion (issue 18). Rows go in with bulk inserts (one statement per table and
batch), so ten years load in well under a minute; everything is invented and seeded, so two runs
give the same office.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import sqlalchemy as sa

from .attendance.models import Attendance, Feedback, FeedbackChannel
from .auth.models import User
from .core.models import AuditEntry
from .core.timeutil import local_zone, utcnow
from .extensions import db
from .interpreters.models import BookingMode, BookingStatus, InterpreterBooking, InterpreterProvider
from .meetings.models import ChecklistTemplateItem, Meeting, MeetingStatus, MeetingType, Task, Venue
from .outreach.models import (
    Channel,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Contact,
    Mailing,
    PosterHanging,
    PosterLocation,
    Registration,
)
from .sms.models import (
    Audience,
    InboundMeaning,
    MessageStatus,
    SendKind,
    SendStatus,
    SmsInbound,
    SmsMessage,
    SmsSend,
)

#: Per year: meetings, contacts (the register grows), registrations (see the issue's proportions).
MEETINGS_PER_YEAR = 12
CONTACTS_PER_YEAR = 500
#: Everyone consented to SMS gets the reminder; a share of the invited sign up.
REGISTRATIONS_PER_MEETING = 165
FEEDBACK_PER_MEETING = 12
AUDIT_PER_MEETING = 150
INBOUND_PER_MEETING = 15
SMS_PER_MEETING = 300

GIVEN = ["Amina", "Hodan", "Mohamed", "Fatima", "Omar", "Layla", "Tharshini", "Kumaran", "Selam", "Yonas",
         "Maryam", "Reza", "Ayesha", "Imran", "Shirin", "Rojda", "Li", "Wang", "María", "Katarzyna", "Kari",
         "Ole", "Ingrid", "Ahmed", "Nasra", "Abdi", "Hassan", "Zainab", "Samira", "Jonas", "Sigrid", "Per"]
FAMILY = ["Yusuf Ali", "Abdi Warsame", "Hassan Farah", "Al-Sayed", "Khalil", "Haddad", "Sivakumar",
          "Rajendran", "Tesfaye", "Gebremedhin", "Rahimi", "Karimi", "Malik", "Chaudhry", "Ahmed", "Demir",
          "Wei", "Fang", "González", "Nowak", "Hansen", "Johansen", "Berg", "Mohamed", "Nilsen", "Larsen"]
LANGUAGES = ["so"] * 6 + ["ar"] * 5 + ["nb"] * 5 + ["ta", "ti", "fa", "ur", "ckb", "kmr", "zh-Hans", "es", "pl",
                                                      "en", "ti", "fa"]
TOPICS = ["Bolig", "Arbeid", "Helse og fastlege", "Barnehage og skole", "Språkkurs", "Bostøtte",
          "Aktiviteter i bydelen", "Økonomi og gjeld", "Digitale tjenester", "Eldre og omsorg"]
STREETS = ["Veitvetveien", "Linderns vei", "Statsråd Mathiesens vei", "Rolf Hofmos gate", "Økernveien",
           "Årvollveien", "Trondheimsveien", "Sletteløkka"]
BATCH = 5000


def _insert(model, rows: list[dict], returning: bool = False) -> list[int]:
    """Insert ``rows`` in batches; return the new ids in the order of ``rows`` when asked."""
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        if returning:
            stmt = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
            ids.extend(db.session.scalars(stmt, chunk).all())
        else:
            db.session.execute(sa.insert(model), chunk)
    return ids


def _ensure_places() -> tuple[list[int], list[int], list[int]]:
    """Venues, poster places and interpreter providers the history uses (the demo's, or a few new)."""
    venues = db.session.scalars(sa.select(Venue.id).order_by(Venue.id)).all()
    if not venues:
        venues = _insert(Venue, [dict(name=f"Møtested {n}", address=f"Økernveien {n}, 0580 Oslo", capacity=60,
                                      is_neutral=True, step_free=True) for n in range(1, 4)], returning=True)
    places = db.session.scalars(sa.select(PosterLocation.id).order_by(PosterLocation.id)).all()
    if not places:
        places = _insert(PosterLocation, [dict(name=f"Oppslagstavle {n}", address="Veitvetveien 8", priority=1)
                                          for n in range(1, 9)], returning=True)
    providers = db.session.scalars(sa.select(InterpreterProvider.id).order_by(InterpreterProvider.id)).all()
    if not providers:
        providers = _insert(InterpreterProvider, [dict(name="Tolketjenesten"), dict(name="Tolkebyrået AS")],
                            returning=True)
    return list(venues), list(places), list(providers)


def _meetings(rng, years: int, today: dt.date, venues: list[int], admin_id) -> list[dict]:
    rows = []
    zone = local_zone()
    for index in range(years * MEETINGS_PER_YEAR):
        # Monthly, going back from last month; a fortnight's jitter so weekdays vary.
        day = today - dt.timedelta(days=30 * (index + 1) + rng.randint(-7, 7))
        start = dt.datetime.combine(day, dt.time(13, 30) if index % 2 else dt.time(17, 30), zone)
        status = MeetingStatus.cancelled if index % 25 == 7 else MeetingStatus.held
        rows.append(dict(
            type=MeetingType.dialogue_conference if index % 12 == 5 else MeetingType.user_meeting,
            topic=TOPICS[index % len(TOPICS)], description="", starts_at=start.astimezone(dt.UTC),
            ends_at=(start + dt.timedelta(hours=2)).astimezone(dt.UTC), venue_id=venues[index % len(venues)],
            status=status, catering="frukt, kjeks og drikke", catering_halal=True, childcare=bool(index % 2),
            target_languages=["nb", "so", "ar"], interpreter_languages=["so", "ar"],
            published_at=(start - dt.timedelta(days=21)).astimezone(dt.UTC), created_by_id=admin_id,
            cancel_reason="Møtestedet var ikke tilgjengelig" if status == MeetingStatus.cancelled else "",
        ))
    return rows


def load_history(years: int, seed: int = 18) -> dict:
    """Add ``years`` of history before today to the current database; return what was added."""
    rng = random.Random(seed)
    now = utcnow()
    today = now.astimezone(local_zone()).date()
    admin_id = db.session.scalar(sa.select(User.id).where(User.is_admin.is_(True)).order_by(User.id).limit(1))
    venues, places, providers = _ensure_places()
    first_contact = (db.session.scalar(sa.select(sa.func.max(Contact.id))) or 0) + 1

    meeting_rows = _meetings(rng, years, today, venues, admin_id)
    meeting_ids = _insert(Meeting, meeting_rows, returning=True)

    # Contacts: names, addresses, numbers (a third without a mobile), and what each agreed to.
    contact_rows, languages = [], []
    for n in range(years * CONTACTS_PER_YEAR):
        language = rng.choice(LANGUAGES)
        languages.append(language)
        number = first_contact + n
        contact_rows.append(dict(
            name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}", street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
            postcode=f"05{rng.randint(80, 99)}", city="Oslo",
            phone=f"+479{number:07d}" if n % 3 else None, language=language,
            sms_opted_out_at=now - dt.timedelta(days=rng.randint(1, 3000)) if n % 97 == 0 else None,
            last_activity_at=now - dt.timedelta(days=rng.randint(0, 365 * years)),
        ))
    contact_ids = _insert(Contact, contact_rows, returning=True)
    phones = {cid: row["phone"] for cid, row in zip(contact_ids, contact_rows, strict=True)}
    consents = []
    for n, cid in enumerate(contact_ids):
        method = [ConsentMethod.slip, ConsentMethod.phone, ConsentMethod.web][n % 3]
        given = now - dt.timedelta(days=rng.randint(30, 365 * years))
        consents.append(dict(contact_id=cid, purpose=ConsentPurpose.news_post, method=method, given_at=given,
                             withdrawn_at=given + dt.timedelta(days=400) if n % 41 == 0 else None))
        if phones[cid]:
            consents.append(dict(contact_id=cid, purpose=ConsentPurpose.news_sms, method=method, given_at=given))
        if n % 9 == 0:
            consents.append(dict(contact_id=cid, purpose=ConsentPurpose.help_arrange, method=ConsentMethod.slip,
                                 given_at=given))
    _insert(Consent, consents)
    sms_contacts = [cid for cid in contact_ids if phones[cid]]

    # The checklist each meeting got, done when the meeting was held.
    template = db.session.scalars(sa.select(ChecklistTemplateItem).where(ChecklistTemplateItem.active)).all()
    tasks, mailings, hangings, bookings, registrations = [], [], [], [], []
    attendance, feedback, inbound, audit = [], [], [], []
    sends: list[tuple[int, dict]] = []
    for mid, row in zip(meeting_ids, meeting_rows, strict=True):
        held = row["status"] == MeetingStatus.held
        day = row["starts_at"].astimezone(local_zone()).date()
        for item in template:
            if item.meeting_types and row["type"].value not in item.meeting_types:
                continue
            tasks.append(dict(meeting_id=mid, template_item_id=item.id, phase=item.phase, title=item.title,
                              offset_days=item.offset_days, position=item.position,
                              done_at=row["ends_at"] if held else None, done_by_id=admin_id if held else None))
        for channel, count in ((Channel.letter, rng.randint(250, 400)), (Channel.enclosure, 150),
                               (Channel.sms, len(sms_contacts) // 3), (Channel.flyer, 100)):
            mailings.append(dict(meeting_id=mid, channel=channel, count=count, languages=["nb", "so", "ar"],
                                 sent_on=day - dt.timedelta(days=21), done_by="Arbeidsutvalget",
                                 cost=Decimal("3.50") * count if channel == Channel.letter else None))
        for place in rng.sample(places, min(len(places), 7)):
            hangings.append(dict(meeting_id=mid, location_id=place, count=2, languages=["nb", "so", "ar"],
                                 hung_on=day - dt.timedelta(days=20), hung_by="Kari",
                                 taken_down_on=day + dt.timedelta(days=1)))
        for language in ("so", "ar"):
            bookings.append(dict(meeting_id=mid, language=language, provider_id=rng.choice(providers),
                                 mode=BookingMode.plenary, arrives_at=row["starts_at"] - dt.timedelta(minutes=15),
                                 minutes=135, status=BookingStatus.delivered if held else BookingStatus.cancelled,
                                 estimated_cost=Decimal("1200"), actual_cost=Decimal("1200") if held else None))
        people = rng.sample(contact_ids, min(len(contact_ids), REGISTRATIONS_PER_MEETING))
        for index, cid in enumerate(people):
            channel = [Channel.reply_slip, Channel.phone, Channel.sms, Channel.web, Channel.stand][index % 5]
            person = contact_rows[cid - contact_ids[0]]
            key = f"tel:{person['phone']}" if person["phone"] else f"name:{person['name'].lower()}#{cid}"
            registrations.append(dict(meeting_id=mid, channel=channel, contact_id=cid, adults=1,
                                      children=index % 3, interpreter_language=person["language"]
                                      if person["language"] in ("so", "ar") else "",
                                      came=(index % 3 != 0) if held else None, dedupe_key=key))
        if held:
            attendance.append(dict(meeting_id=mid, adults_low=rng.randint(10, 40), children_low=rng.randint(0, 15),
                                   organisers=3, speakers=1, walk_ins=rng.randint(0, 6),
                                   interpreted_languages=["so", "ar"]))
            for index in range(FEEDBACK_PER_MEETING):
                feedback.append(dict(meeting_id=mid, rating=rng.randint(2, 5), useful="Svar fra NAV" if index % 2
                                     else "", missing="Mer tid" if index % 3 == 0 else "",
                                     language=rng.choice(LANGUAGES), channel=FeedbackChannel.paper))
        send = dict(meeting_id=mid, kind=SendKind.reminder, audience=Audience.consented, days_before=2,
                    local_time=dt.time(10, 0), send_at=row["starts_at"] - dt.timedelta(days=2),
                    status=SendStatus.done if held else SendStatus.cancelled, created_by="admin@example.org",
                    started_at=row["starts_at"] - dt.timedelta(days=2),
                    finished_at=row["starts_at"] - dt.timedelta(days=2, minutes=-3))
        sends.append((mid, send))
        for index in range(INBOUND_PER_MEETING):
            cid = rng.choice(sms_contacts)
            inbound.append(dict(phone=phones[cid], contact_id=cid, body=["Ja", "STOPP", "Kommer det tolk?"][index % 3],
                                language=languages[cid - contact_ids[0]],
                                meaning=[InboundMeaning.yes, InboundMeaning.stop, InboundMeaning.other][index % 3],
                                meeting_id=mid, received_at=row["starts_at"] - dt.timedelta(days=1, hours=index),
                                handled_at=row["starts_at"]))
        for index in range(AUDIT_PER_MEETING):
            audit.append(dict(at=row["starts_at"] - dt.timedelta(hours=index), user_id=admin_id,
                              user_label="admin@example.org",
                              action=["contacts.view", "contact.update", "registration.add"][index % 3],
                              target=f"contact:{rng.choice(contact_ids)}", detail=""))
    _insert(Task, tasks)
    _insert(Mailing, mailings)
    _insert(PosterHanging, hangings)
    _insert(InterpreterBooking, bookings)
    registration_ids = _insert(Registration, registrations, returning=True)
    _insert(Attendance, attendance)
    _insert(Feedback, feedback)
    _insert(SmsInbound, inbound)
    _insert(AuditEntry, audit)

    # Every reminder went to a few hundred of those who had agreed to SMS.
    send_ids = _insert(SmsSend, [send for _, send in sends], returning=True)
    messages = []
    for send_id, (_meeting, send) in zip(send_ids, sends, strict=True):
        sent = send["status"] == SendStatus.done
        for cid in rng.sample(sms_contacts, min(len(sms_contacts), SMS_PER_MEETING)):
            language = languages[cid - contact_ids[0]]
            messages.append(dict(send_id=send_id, contact_id=cid, phone=phones[cid], language=language,
                                 wanted_language=language, body="Påminnelse: brukermøte i bydelen.", segments=1,
                                 cost=Decimal("0.45") if sent else None,
                                 status=MessageStatus.delivered if sent else MessageStatus.cancelled,
                                 attempts=1 if sent else 0, sent_at=send["send_at"] if sent else None,
                                 status_at=send["finished_at"]))
    _insert(SmsMessage, messages)
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        # Fresh statistics, so the planner knows the tables are no longer nearly empty.
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
    return {"meetings": len(meeting_ids), "contacts": len(contact_ids), "registrations": len(registration_ids),
            "sms": len(messages), "audit": len(audit)}
