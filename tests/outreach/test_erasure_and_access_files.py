"""Erasure reaches uploads waiting for their preview, and a subject-access export says who looked at
the person's data and which mail merges will have included them."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from brukermote.core import jobs
from brukermote.core.timeutil import utcnow
from brukermote.extensions import db
from brukermote.outreach import services
from brukermote.outreach.models import ConsentMethod, ConsentPurpose, ContactImport


def _contact(name="Åse Ødegård", phone="+4791234567"):
    contact = services.create_contact(services.ContactData(
        name=name, street="Veitvetveien 12", postcode="0596", city="Oslo", phone=phone, language="nb"))
    db.session.commit()
    return contact


def _pending_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(ContactImport.id)))


def test_erasure_deletes_pending_uploads_that_hold_the_person_and_keeps_the_others(admin_client):
    contact = _contact()
    by_name = services.save_pending(["Navn", "Telefon"], [[2, ["Kari Nordmann", "98765432"]],
                                                           [3, ["  åse   ØDEGÅRD ", ""]]], "liste.csv")
    by_phone = services.save_pending(["Navn", "Mobil"], [[2, ["Å. Ødegård", "912 34 567"]]], "mobil.xlsx")
    unrelated = services.save_pending(["Navn", "Telefon"], [[2, ["Kari Nordmann", "98765432"]]], "annen.csv")
    db.session.commit()
    assert _pending_count() == 3

    assert admin_client.post(f"/contacts/{contact.id}/erase").status_code == 302
    db.session.expire_all()
    left = {p.token for p in db.session.scalars(sa.select(ContactImport))}
    assert left == {unrelated.token}
    # Whoever had the preview open is told it is gone rather than shown the erased person.
    response = admin_client.get(f"/contacts/import/{by_name.token}", follow_redirects=True)
    assert "Åse" not in response.get_data(as_text=True)
    assert by_phone.token not in left


def test_subject_access_export_lists_the_audit_trail_and_the_mail_merges(admin_client):
    contact = _contact()
    before = jobs.create_job("print.letters", "Brev før samtykke", total=1, personal_data=True)
    before.created_at = utcnow() - dt.timedelta(days=10)
    db.session.commit()
    services.give_consent(contact, ConsentPurpose.news_post, ConsentMethod.slip, "2026-1",
                          given_at=utcnow() - dt.timedelta(days=5))
    db.session.commit()
    letters = jobs.create_job("print.letters", "Brev: Bolig", total=1, personal_data=True)
    jobs.finish_job(letters, b"names", "brev.pdf", "application/pdf")
    poster = jobs.create_job("print.poster", "Plakat", total=1)  # no names in a poster
    db.session.commit()
    admin_client.get(f"/contacts/{contact.id}")  # a look at the record is audited

    first = json.loads(admin_client.get(f"/contacts/{contact.id}/export").data)
    actions = [entry["action"] for entry in first["audit_log"]]
    assert "contact.view" in actions
    assert all(entry["by"] and entry["at"] for entry in first["audit_log"])
    merges = first["mail_merges"]
    assert "Derived" in merges["note"]
    assert [job["title"] for job in merges["jobs"]] == ["Brev: Bolig"]  # not the one before consent, not the poster
    assert merges["jobs"][0]["file_still_held"] is True and poster.id not in [j["id"] for j in merges["jobs"]]

    # The export itself is in the trail the next time.
    second = json.loads(admin_client.get(f"/contacts/{contact.id}/export").data)
    assert [e["action"] for e in second["audit_log"]].count("contact.export") == 1

    # After withdrawal, later merges are not listed.
    services.withdraw_consent(contact.consents[0])
    db.session.commit()
    jobs.create_job("print.labels", "Etiketter etterpå", total=1, personal_data=True)
    db.session.commit()
    third = json.loads(admin_client.get(f"/contacts/{contact.id}/export").data)
    assert [job["title"] for job in third["mail_merges"]["jobs"]] == ["Brev: Bolig"]
