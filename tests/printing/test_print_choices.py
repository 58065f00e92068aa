"""The print page's choices apply to the buttons directly; letters can be limited to languages or
recipients, so the Norwegian letters print while other languages are still in review."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from brukermote.core.models import AuditEntry
from brukermote.extensions import db
from brukermote.printing.models import PhraseReview
from tests.printing.helpers import make_contacts, make_meeting, pdftotext


def _form(html: str) -> str:
    return html[html.index('<form method="post" id="print-form"'):html.index("</form>", html.index('id="print-form"'))]


def test_the_choices_and_the_print_buttons_are_one_form(admin_client, meeting):
    html = admin_client.get(f"/meetings/{meeting.id}/print?document=poster&language=nb").get_data(as_text=True)
    form = _form(html)
    # The language, size and variant travel with «Draft PDF» and «Final PDF» (no hidden copies of an earlier choice).
    for name in ('name="language"', 'name="size"', 'name="variant"', 'name="with_nb"'):
        assert name in form
    assert 'type="hidden" name="language"' not in form
    assert 'name="draft" value="1"' in form and 'name="draft" value="0"' in form


def test_draft_prints_the_language_chosen_with_it_not_the_one_checked(admin_client, meeting):
    # The page was checked in Norwegian; the form now says Arabic and «Draft PDF» is pressed.
    admin_client.get(f"/meetings/{meeting.id}/print?document=poster&language=nb")
    response = admin_client.post(f"/meetings/{meeting.id}/print", data={
        "document": "poster", "language": "ar", "size": "A3", "variant": "office", "draft": "1"})
    assert response.mimetype == "application/pdf"
    assert "-ar-A3-" in response.headers["Content-Disposition"]
    assert "العمل والنشاط" in pdftotext(response.data)


def test_check_shows_the_preflight_of_the_choices(admin_client, meeting):
    response = admin_client.post(f"/meetings/{meeting.id}/print", data={
        "document": "flyer", "language": "so", "size": "A6", "variant": "printshop", "action": "check"})
    assert response.status_code == 302
    location = response.headers["Location"]
    for part in ("document=flyer", "language=so", "size=A6", "variant=printshop"):
        assert part in location
    page = admin_client.get(location).get_data(as_text=True)
    assert re.search(r'<option value="so" selected', page)
    assert 'id="variant-printshop" value="printshop" checked' in page


def _letters(client, meeting, follow_redirects=False, **data):
    return client.post(f"/meetings/{meeting.id}/print", data={"document": "letters", "draft": "0", **data},
                       follow_redirects=follow_redirects)


def test_norwegian_letters_print_while_arabic_is_in_review(admin_client, meeting):
    make_contacts(6, ["nb", "ar", "so"])
    db.session.execute(sa.delete(PhraseReview).where(PhraseReview.language == "ar"))
    db.session.commit()
    assert _letters(admin_client, meeting).mimetype == "text/html"  # every language: Arabic is unapproved

    page = admin_client.get(f"/meetings/{meeting.id}/print?document=letters").get_data(as_text=True)
    assert 'name="languages" value="nb"' in page and "Deltaker 001" in page
    assert re.search(r"arabisk \(2\) – <a [^>]*>\d+ tekster ikke godkjent", page)

    response = _letters(admin_client, meeting, languages=["nb"])
    assert response.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 2
    text = pdftotext(response.data)
    assert "Deltaker 000" in text and "Deltaker 003" in text and "Deltaker 001" not in text
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "print.letters")).one()
    assert entry.detail.endswith("2 contacts (consented in nb)")


def test_letters_for_chosen_recipients_only(admin_client, meeting):
    contacts = make_contacts(5, ["nb"])
    response = _letters(admin_client, meeting, contact=[str(contacts[1].id), str(contacts[4].id)])
    assert response.mimetype == "application/pdf"
    text = pdftotext(response.data)
    assert "Deltaker 001" in text and "Deltaker 004" in text and "Deltaker 000" not in text
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "print.letters")).one()
    assert "2 contacts (chosen)" in entry.detail


def test_a_garbled_or_empty_choice_prints_nothing(admin_client, meeting):
    make_contacts(3, ["nb", "so"])
    garbled = _letters(admin_client, meeting, contact=["1 OR 1=1"], draft="1")
    assert garbled.status_code == 302
    page = admin_client.get(garbled.headers["Location"]).get_data(as_text=True)
    assert "Mottakerne kunne ikke leses" in page
    empty = _letters(admin_client, meeting, languages=["ta"], draft="1", follow_redirects=True)
    assert empty.mimetype == "text/html" and "Ingen mottakere" in empty.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "print.letters")) == 0


def test_members_without_the_capability_see_no_names_and_cannot_print_chosen_letters(member_client, app):
    meeting = make_meeting()
    contacts = make_contacts(2, ["nb"])
    page = member_client.get(f"/meetings/{meeting.id}/print?document=letters").get_data(as_text=True)
    assert "Deltaker 000" not in page and 'name="contact"' not in page
    response = _letters(member_client, meeting, contact=[str(contacts[0].id)], languages=["nb"], draft="1")
    assert response.status_code == 403


def test_a_download_followed_before_the_file_is_ready_leads_back_to_the_progress(admin_client, admin_user):
    from brukermote.core.jobs import create_job

    job = create_job("print.letters", "Invitasjonsbrev", total=40, user=admin_user, personal_data=True)
    db.session.commit()
    response = admin_client.get(f"/jobs/{job.token}/download")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/jobs/{job.token}")
    page = admin_client.get(f"/jobs/{job.token}").get_data(as_text=True)
    assert "Filen er ikke klar ennå" in page
    assert re.search(r"<a [^>]*data-job-download[^>]*hidden", page)
