"""Contacts and consent end to end: privacy (role, audit, erasure, access), retention and import."""

from __future__ import annotations

import datetime as dt
import io
import json

import sqlalchemy as sa

from brukermote.core.models import AuditEntry
from brukermote.core.timeutil import utcnow
from brukermote.extensions import db
from brukermote.outreach import services
from brukermote.outreach.models import Consent, ConsentMethod, ConsentPurpose, Contact, ContactImport

PHONE = "+4791234567"


def _make(name="Åse Ødegård", phone=PHONE, **kw) -> Contact:
    contact = services.create_contact(services.ContactData(
        name=name, street=kw.get("street", "Veitvetveien 12"), postcode=kw.get("postcode", "0596"),
        city="Oslo", phone=phone, language=kw.get("language", "nb")))
    db.session.commit()
    return contact


def _audit(action):
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_create_contact_through_the_form_normalises_the_phone(admin_client):
    response = admin_client.post("/contacts/new", data={
        "name": "Cabdi Xasan Maxamuud", "street": "Linderns vei 3", "postcode": "0596", "city": "Oslo",
        "phone": "912 34 567", "language": "so"})
    assert response.status_code == 302
    contact = db.session.scalar(sa.select(Contact))
    assert contact.phone == PHONE and contact.language == "so"


def test_bad_phone_redisplays_and_saves_nothing(admin_client):
    response = admin_client.post("/contacts/new", data={"name": "X Y", "phone": "12", "language": "nb"})
    assert response.status_code == 200
    assert "12" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0


def test_consent_and_withdrawal_through_the_pages(admin_client):
    contact = _make()
    response = admin_client.post(f"/contacts/{contact.id}/consents", data={
        "purpose": "news_sms", "method": "phone", "wording_version": "2026-2", "given_on": ""})
    assert response.status_code == 302
    db.session.expire_all()
    consent = db.session.scalar(sa.select(Consent))
    assert consent.purpose == ConsentPurpose.news_sms and consent.method == ConsentMethod.phone
    assert consent.wording_version == "2026-2" and consent.given_at is not None
    assert db.session.get(Contact, contact.id).consents_to(ConsentPurpose.news_sms)

    page = admin_client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "Åse Ødegård" in page and "2026-2" in page
    assert _audit("contact.view")[0].target == f"contact:{contact.id}"

    assert admin_client.post(f"/consents/{consent.id}/withdraw").status_code == 302
    db.session.expire_all()
    consent = db.session.scalar(sa.select(Consent))
    assert consent.withdrawn_at is not None  # the record is kept
    assert not db.session.get(Contact, contact.id).consents_to(ConsentPurpose.news_sms)


def test_sms_opt_out_through_the_page_and_the_service(admin_client):
    first = _make()
    second = _make(name="Kari Hansen", postcode="0597")
    other = _make(name="Ole Johansen", phone="+4791234568")
    for c in (first, second, other):
        services.give_consent(c, ConsentPurpose.news_sms, ConsentMethod.sms, "2026-1")
    db.session.commit()
    assert admin_client.post(f"/contacts/{first.id}/opt-out").status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, first.id).sms_opted_out_at is not None
    assert db.session.get(Contact, second.id).sms_opted_out_at is not None  # same number
    assert not db.session.get(Contact, second.id).consents_to(ConsentPurpose.news_sms)
    assert db.session.get(Contact, other.id).sms_opted_out_at is None
    assert services.opt_out_phone("+4791234568") == 1


def test_export_is_a_json_download_and_audited(admin_client):
    contact = _make()
    services.give_consent(contact, ConsentPurpose.news_post, ConsentMethod.slip, "2026-1")
    db.session.commit()
    response = admin_client.get(f"/contacts/{contact.id}/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["name"] == "Åse Ødegård" and data["phone"] == PHONE
    assert data["consents"][0]["purpose"] == "news_post"
    entry = _audit("contact.export")[0]
    assert entry.target == f"contact:{contact.id}" and entry.user_label == "admin@example.org"


def test_erasure_leaves_the_phone_number_nowhere(admin_client):
    contact = _make()
    services.give_consent(contact, ConsentPurpose.news_sms, ConsentMethod.slip, "2026-1")
    db.session.commit()
    admin_client.get(f"/contacts/{contact.id}")
    admin_client.get(f"/contacts/{contact.id}/export")
    called = []
    services.erasure_listeners.append(called.append)
    try:
        assert admin_client.post(f"/contacts/{contact.id}/erase").status_code == 302
    finally:
        services.erasure_listeners.remove(called.append)
    assert len(called) == 1
    db.session.expire_all()
    assert db.session.get(Contact, contact.id) is None
    assert db.session.scalar(sa.select(sa.func.count(Consent.id))) == 0
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).all():
            text = str(row)
            assert PHONE not in text and "91234567" not in text, table.name
            assert "Ødegård" not in text, table.name
    assert _audit("contact.erase")[0].target == f"contact:{contact.id}"


def test_member_without_confidential_flag_reaches_no_details(member_client):
    contact = _make()
    consent = services.give_consent(contact, ConsentPurpose.news_sms, ConsentMethod.slip, "2026-1")
    pending = services.save_pending(["Navn"], [[2, ["Åse"]]], "x.csv")
    db.session.commit()
    for method, url in [
        ("GET", f"/contacts/{contact.id}"), ("GET", f"/contacts/{contact.id}/edit"),
        ("POST", f"/contacts/{contact.id}/edit"), ("GET", f"/contacts/{contact.id}/export"),
        ("POST", f"/contacts/{contact.id}/erase"), ("POST", f"/contacts/{contact.id}/consents"),
        ("POST", f"/contacts/{contact.id}/opt-out"), ("POST", f"/consents/{consent.id}/withdraw"),
        ("GET", "/contacts/new"), ("GET", "/contacts/import"), ("GET", f"/contacts/import/{pending.token}"),
        ("POST", f"/contacts/import/{pending.token}"), ("POST", f"/contacts/import/{pending.token}/cancel"),
    ]:
        assert member_client.open(url, method=method).status_code == 403, (method, url)
    page = member_client.get("/contacts")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Åse" not in html and "Veitvetveien" not in html and "912" not in html
    assert '<td>norsk – norsk bokmål</td><td class="num">1</td>' in html  # the language count is shown
    assert db.session.get(Contact, contact.id) is not None


def test_purge_cli_removes_only_inactive_contacts_without_consent(runner):
    now = utcnow()
    old = _make(name="Old Person", phone=None)
    old.last_activity_at = now - dt.timedelta(days=800)
    consented = _make(name="Old But Consented", phone=None)
    consented.last_activity_at = now - dt.timedelta(days=800)
    services.give_consent(consented, ConsentPurpose.news_post, ConsentMethod.slip, "2026-1")
    recent = _make(name="Recent Person", phone=None)
    db.session.commit()
    old_id = old.id

    result = runner.invoke(args=["contacts", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert str(old_id) in result.output and "Old Person" not in result.output
    assert db.session.get(Contact, old_id) is not None

    result = runner.invoke(args=["contacts", "purge", "--months", "24"])
    assert result.exit_code == 0, result.output
    assert "Removed 1" in result.output and str(old_id) in result.output
    db.session.expire_all()
    assert db.session.get(Contact, old_id) is None
    assert db.session.get(Contact, consented.id) is not None
    assert db.session.get(Contact, recent.id) is not None
    assert _audit("contact.purge")[0].target == f"contact:{old_id}"


# -- import -------------------------------------------------------------------------------------

def _upload(client, data: bytes, filename: str):
    response = client.post("/contacts/import", data={"file": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _mapping_from(client, url) -> dict:
    """Commit with the mapping the page guessed."""
    import re

    html = client.get(url).get_data(as_text=True)
    data = {}
    for key in ("name", "street", "postcode", "city", "phone", "language"):
        select = re.search(rf'<select[^>]*name="{key}".*?</select>', html, re.S).group(0)
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select)
        data[key] = (chosen.group(1) or chosen.group(2) or "") if chosen else ""
    data.update({"default_language": "nb", "wording_version": "2026-1"})
    return data


def test_import_windows_1252_csv_with_semicolons(admin_client):
    text = ("Navn;Adresse;Postnr;Poststed;Telefon;Språk\r\n"
            "Åse Ødegård;Økernveien 5;0596;Oslo;912 34 567;norsk\r\n"
            "Cabdi Xasan Maxamuud;Veitvetveien 12;0596;Oslo;+47 412 34 567;so\r\n")
    url = _upload(admin_client, text.encode("cp1252"), "kontakter.csv")
    data = _mapping_from(admin_client, url)
    assert data["name"] == "0" and data["phone"] == "4" and data["language"] == "5"
    preview = admin_client.get(url).get_data(as_text=True)
    assert "Åse Ødegård" in preview and "Cabdi Xasan Maxamuud" in preview
    data.update({"action": "commit", "purposes": ["news_post", "news_sms"]})
    response = admin_client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    people = {c.name: c for c in db.session.scalars(sa.select(Contact))}
    assert set(people) == {"Åse Ødegård", "Cabdi Xasan Maxamuud"}
    assert people["Åse Ødegård"].phone == PHONE and people["Åse Ødegård"].language == "nb"
    assert people["Cabdi Xasan Maxamuud"].language == "so"
    consents = people["Cabdi Xasan Maxamuud"].consents
    assert {c.purpose for c in consents} == {ConsentPurpose.news_post, ConsentPurpose.news_sms}
    assert all(c.method == ConsentMethod.import_ for c in consents)
    assert db.session.scalar(sa.select(sa.func.count(ContactImport.id))) == 0  # deleted on commit
    assert len(_audit("contact.import")) == 2


def test_import_utf8_bom_comma_csv_without_ticked_consent_gets_no_consent(admin_client):
    text = "\ufeffName,Address,Postcode,City,Mobile\nLi Wei,Rolf Hofmos gate 4,596,Oslo,41234567\n"
    url = _upload(admin_client, text.encode("utf-8"), "c.csv")
    data = _mapping_from(admin_client, url)
    data["action"] = "commit"
    assert admin_client.post(url, data=data).status_code == 302
    contact = db.session.scalar(sa.select(Contact))
    assert contact.name == "Li Wei" and contact.postcode == "0596" and contact.phone == "+4741234567"
    assert contact.consents == []


def test_import_xlsx(admin_client):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Navn", "Adresse", "Postnr", "Poststed", "Mobil", "Språk"])
    sheet.append(["Hodan Abdi Warsame", "Linderns vei 3", "0596", "Oslo", 91234567, "Somali"])
    sheet.append(["Ingrid Berg", "Årvollveien 1", 596, "Oslo", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    url = _upload(admin_client, buffer.getvalue(), "liste.xlsx")
    data = _mapping_from(admin_client, url)
    data.update({"action": "commit", "purposes": ["news_post"]})
    assert admin_client.post(url, data=data).status_code == 302
    people = {c.name: c for c in db.session.scalars(sa.select(Contact))}
    assert people["Hodan Abdi Warsame"].phone == PHONE and people["Hodan Abdi Warsame"].language == "so"
    assert people["Ingrid Berg"].postcode == "0596" and people["Ingrid Berg"].phone is None


def test_bad_phone_in_row_7_imports_nothing_and_names_the_row(admin_client):
    lines = ["Navn;Adresse;Postnr;Poststed;Telefon"]
    for i in range(2, 9):
        phone = "123" if i == 7 else f"9123456{i}"
        lines.append(f"Person {i};Gate {i};0596;Oslo;{phone}")
    url = _upload(admin_client, "\n".join(lines).encode("utf-8"), "f.csv")
    data = _mapping_from(admin_client, url)
    data["action"] = "commit"
    response = admin_client.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Rad 7:" in html  # the row number as the user sees it in the file
    assert "Rad 6:" not in html
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(ContactImport.id))) == 1  # kept for another look


def test_duplicates_within_the_file_are_errors_and_known_contacts_are_skipped(admin_client):
    _make(name="Åse Ødegård")
    text = ("Navn;Postnr;Telefon\n"
            "Åse Ødegård;0596;91234567\n"          # row 2: known contact (same name and phone) -> skipped
            "Kari Hansen;0597;41234567\n"          # row 3
            "kari  hansen;0597;\n"                 # row 4: same name+postcode as row 3 -> error
            "Kari Hansen;0598;+47 412 34 567\n"    # row 5: same name and phone as row 3 (moved) -> error
            "Ole Hansen;0597;41234567\n")          # row 6: shares the family's phone -> a person of his own
    url = _upload(admin_client, text.encode("utf-8"), "d.csv")
    data = _mapping_from(admin_client, url)
    data["action"] = "commit"
    response = admin_client.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Rad 4 er samme person som rad 3" in html
    assert "Rad 5 er samme person som rad 3" in html
    assert "Rad 6 er samme person" not in html
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 1

    pending = db.session.scalar(sa.select(ContactImport))
    preview = services.preview_import(pending.payload["rows"][:2], services.guess_mapping(pending.payload["headers"]))
    assert preview.ok
    assert [r.status for r in preview.rows] == ["skip", "new"]


def test_cancel_discards_the_pending_upload(admin_client):
    url = _upload(admin_client, b"Navn\nX\n", "x.csv")
    assert admin_client.post(url + "/cancel").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ContactImport.id))) == 0


def test_stale_uploads_expire_after_an_hour(app):
    pending = services.save_pending(["Navn"], [[2, ["X"]]], "x.csv")
    pending.created_at = utcnow() - dt.timedelta(hours=2)
    db.session.commit()
    assert services.load_pending(pending.token) is None
    assert services.purge_stale_imports() == 1


def test_edit_with_a_bad_phone_changes_nothing(admin_client):
    contact = _make()
    page = admin_client.get(f"/contacts/{contact.id}/edit").get_data(as_text=True)
    assert "Åse Ødegård" in page
    response = admin_client.post(f"/contacts/{contact.id}/edit", data={
        "name": "Changed Name", "street": "Other 1", "postcode": "0001", "city": "Oslo", "phone": "abc", "language": "nb"})
    assert response.status_code == 200
    assert "Changed Name" in response.get_data(as_text=True)  # what was typed is re-displayed
    db.session.expire_all()
    stored = db.session.get(Contact, contact.id)
    assert stored.name == "Åse Ødegård" and stored.phone == PHONE
    response = admin_client.post(f"/contacts/{contact.id}/edit", data={
        "name": "Changed Name", "street": "Other 1", "postcode": "0001", "city": "Oslo", "phone": "", "language": "so"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Contact, contact.id)
    assert stored.name == "Changed Name" and stored.phone is None and stored.language == "so"
    assert _audit("contact.edit")[0].target == f"contact:{contact.id}"


def test_overview_counts_for_a_confidential_member(admin_client):
    c = _make(language="so")
    services.give_consent(c, ConsentPurpose.news_post, ConsentMethod.slip, "2026-1")
    _make(name="Kari Hansen", phone=None)
    db.session.commit()
    overview = services.overview()
    assert overview.total == 2
    assert dict(overview.by_language) == {"so": 1, "nb": 1}
    assert dict(overview.by_purpose)[ConsentPurpose.news_post] == 1
    html = admin_client.get("/contacts").get_data(as_text=True)
    assert "Åse Ødegård" in html and "Kari Hansen" in html


def test_comma_in_a_name_does_not_confuse_the_semicolon_file(app):
    headers, rows = services.read_table("Navn;Telefon\nHansen, Kari;41234567\n".encode("cp1252"), "a.csv")
    assert headers == ["Navn", "Telefon"] and rows == [[2, ["Hansen, Kari", "41234567"]]]


def test_empty_upload_is_refused_with_a_message(admin_client):
    response = admin_client.post("/contacts/import", data={"file": (io.BytesIO(b""), "empty.csv")},
                                 content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Filen er tom" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ContactImport.id))) == 0


def test_erasure_deletes_finished_mail_merges_that_may_hold_the_person(admin_client, app):
    from brukermote.core import jobs

    contact = _make()
    merge = jobs.create_job("print.labels", "Adresseetiketter", total=1, personal_data=True)
    jobs.finish_job(merge, f"{contact.name}, {contact.street}".encode(), "etiketter.pdf", "application/pdf")
    poster = jobs.create_job("print.poster", "Plakat", total=1)
    jobs.finish_job(poster, b"%PDF poster", "plakat.pdf", "application/pdf")
    path = jobs.jobs_dir() / merge.result_file
    assert admin_client.get(f"/jobs/{merge.token}/download").status_code == 200

    assert admin_client.post(f"/contacts/{contact.id}/erase").status_code == 302
    assert not path.exists()
    assert admin_client.get(f"/jobs/{merge.token}/download").status_code == 404
    page = admin_client.get(f"/jobs/{merge.token}").get_data(as_text=True)
    assert "ble slettet fordi en person i den ble slettet" in page
    assert admin_client.get(f"/jobs/{poster.token}/download").status_code == 200  # no personal data in it


def test_files_with_names_and_addresses_expire(admin_client, app):
    from brukermote.core import jobs

    merge = jobs.create_job("print.letters", "Brev", total=1, personal_data=True)
    jobs.finish_job(merge, b"names", "brev.pdf", "application/pdf")
    merge.finished_at = utcnow() - dt.timedelta(hours=25)
    db.session.commit()
    assert admin_client.get(f"/jobs/{merge.token}/download").status_code == 404
    assert "slettet etter 24 timer" in admin_client.get(f"/jobs/{merge.token}").get_data(as_text=True)


def test_erasure_offers_the_same_persons_other_records(admin_client):
    contact = _make()
    signed_up_on_the_web = _make(name="åse ødegård ", street="", postcode="")
    family_member = _make(name="Per Ødegård")  # same phone, another person
    stranger = _make(name="Kari Nordmann", phone="+4798765432")
    page = admin_client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert f'name="also" value="{signed_up_on_the_web.id}" checked' in page
    assert f'name="also" value="{family_member.id}">' in page
    assert f'value="{stranger.id}"' not in page
    response = admin_client.post(f"/contacts/{contact.id}/erase", data={"also": [str(signed_up_on_the_web.id),
                                                                                 str(stranger.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    remaining = {c.id for c in db.session.scalars(sa.select(Contact))}
    assert remaining == {family_member.id, stranger.id}  # a stranger's id smuggled in is ignored


def test_the_audit_log_shows_who_printed_labels_and_who_saw_registered_names(admin_client):
    from brukermote.outreach.models import Channel, Registration

    from ..printing.helpers import make_meeting

    person = _make()
    services.give_consent(person, ConsentPurpose.news_post, ConsentMethod.slip, "2026-1")
    db.session.commit()
    meeting = make_meeting()
    response = admin_client.post(f"/meetings/{meeting.id}/print", data={"document": "labels", "language": "nb",
                                                                        "size": "A4", "draft": "1"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    db.session.add(Registration(meeting_id=meeting.id, channel=Channel.phone, contact_id=person.id))
    db.session.commit()
    admin_client.get(f"/meetings/{meeting.id}/outreach")
    page = admin_client.get("/contacts/audit").get_data(as_text=True)
    assert "print.labels" in page and f"meeting:{meeting.id}: 1 contacts (consented) draft" in page
    assert f"1 names (registrations for meeting {meeting.id})" in page and "admin@example.org" in page


def test_a_member_without_the_confidential_flag_cannot_read_the_audit_log(member_client):
    assert member_client.get("/contacts/audit").status_code == 403


def test_stop_ends_the_sms_consent_in_the_counts_and_for_retention(admin_client):
    now = utcnow()
    stopped = _make(name="Stopped By Text")
    services.give_consent(stopped, ConsentPurpose.news_sms, ConsentMethod.slip, "2026-1")
    by_post = _make(name="Letters Only", phone=None)
    services.give_consent(by_post, ConsentPurpose.news_post, ConsentMethod.slip, "2026-1")
    db.session.commit()
    assert dict(services.overview().by_purpose)[ConsentPurpose.news_sms] == 1
    services.opt_out_phone(PHONE)
    stopped.last_activity_at = by_post.last_activity_at = now - dt.timedelta(days=800)
    db.session.commit()
    counts = dict(services.overview().by_purpose)
    assert counts[ConsentPurpose.news_sms] == 0 and counts[ConsentPurpose.news_post] == 1
    assert [c.id for c in services.purge_candidates(24)] == [stopped.id]


def test_a_consent_cannot_be_dated_in_the_future(admin_client):
    contact = _make()
    response = admin_client.post(f"/contacts/{contact.id}/consents", data={
        "purpose": "news_post", "method": "phone", "wording_version": "2026-1", "given_on": "2099-01-01"},
        follow_redirects=True)
    assert "Et samtykke kan ikke være gitt fram i tid." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Consent.id))) == 0


def test_a_landline_cannot_be_given_sms_consent(admin_client):
    contact = _make(phone="+4722334455")
    response = admin_client.post(f"/contacts/{contact.id}/consents", data={
        "purpose": "news_sms", "method": "phone", "wording_version": "2026-1"}, follow_redirects=True)
    assert "22 33 44 55 er en fasttelefon: den kan ikke få SMS." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Consent.id))) == 0
