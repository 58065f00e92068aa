"""Printing from the command line and from the meeting's pages, with roles and background jobs."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfReader

from brukermote.core.jobs import Job, JobState
from brukermote.extensions import db
from brukermote.printing import marks
from brukermote.printing.models import MeetingText, PhraseReview
from tests.printing.helpers import make_contacts, make_meeting


def test_cli_prints_a_poster_and_refuses_a_failing_final(runner, meeting, tmp_path):
    out = tmp_path / "poster.pdf"
    result = runner.invoke(args=["print", "poster", str(meeting.id), "--lang", "ar", "--with-nb", "--size", "A3",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(str(out))
    assert round(float(reader.pages[0].mediabox.width)) == 842  # A3

    unapproved = make_meeting(approve=False)
    refused = tmp_path / "refused.pdf"
    result = runner.invoke(args=["print", "poster", str(unapproved.id), "--lang", "so", "-o", str(refused)])
    assert result.exit_code != 0 and "Preflight failed" in result.output
    assert not refused.exists()  # no partial PDF
    result = runner.invoke(args=["print", "poster", str(unapproved.id), "--lang", "so", "--draft", "-o", str(refused)])
    assert result.exit_code == 0 and refused.exists()


def test_cli_preflight_exit_codes(runner, meeting):
    assert runner.invoke(args=["print", "preflight", str(meeting.id)]).exit_code == 0
    unapproved = make_meeting(approve=False)
    result = runner.invoke(args=["print", "preflight", str(unapproved.id), "--lang", "ar"])
    assert result.exit_code == 1 and "ERROR" in result.output


def test_cli_letters_envelopes_labels_for_chosen_contacts(runner, meeting, tmp_path):
    contacts = make_contacts(5, ["so", "ar", "nb"])
    ids = ",".join(str(c.id) for c in contacts[:3])
    for document in ("letters", "envelopes", "labels"):
        out = tmp_path / f"{document}.pdf"
        result = runner.invoke(args=["print", document, str(meeting.id), "--contacts", ids, "-o", str(out)])
        assert result.exit_code == 0, result.output
        pages = len(PdfReader(str(out)).pages)
        assert pages == (3 if document != "labels" else 1)
    out = tmp_path / "all.pdf"
    assert runner.invoke(args=["print", "letters", str(meeting.id), "-o", str(out)]).exit_code == 0
    assert len(PdfReader(str(out)).pages) == 5  # everyone who consented
    result = runner.invoke(args=["print", "labels", str(meeting.id), "--layout", "3x7:63.5x38.1:7:15", "-o", str(out)])
    assert result.exit_code == 0
    result = runner.invoke(args=["print", "labels", str(meeting.id), "--layout", "4x9:70x36", "-o", str(out)])
    assert result.exit_code != 0 and "A4" in result.output


def test_print_page_shows_preflight_and_downloads(admin_client, meeting):
    page = admin_client.get(f"/meetings/{meeting.id}/print?document=poster&language=ar").get_data(as_text=True)
    assert "Ferdig PDF" in page and "plassholder" in page
    response = admin_client.post(f"/meetings/{meeting.id}/print", data={"document": "poster", "language": "ar",
                                                                        "size": "A4", "draft": "0"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_final_print_is_refused_on_the_page_when_preflight_fails(admin_client):
    unapproved = make_meeting(approve=False)
    response = admin_client.post(f"/meetings/{unapproved.id}/print", data={"document": "poster", "language": "so",
                                                                           "draft": "0"}, follow_redirects=True)
    assert response.mimetype == "text/html"
    assert "Kontrollen feilet" in response.get_data(as_text=True)
    draft = admin_client.post(f"/meetings/{unapproved.id}/print", data={"document": "poster", "language": "so",
                                                                        "draft": "1"})
    assert draft.mimetype == "application/pdf"


def test_members_without_secrecy_cannot_print_letters(member_client, meeting):
    make_contacts(2)
    page = member_client.get(f"/meetings/{meeting.id}/print?document=letters").get_data(as_text=True)
    assert "taushetsplikt" in page
    assert member_client.post(f"/meetings/{meeting.id}/print", data={"document": "letters", "draft": "1"}).status_code == 403


def test_large_mail_merge_runs_as_a_job_with_progress(admin_client, meeting):
    make_contacts(40, ["nb", "so", "ar", "ta"])
    response = admin_client.post(f"/meetings/{meeting.id}/print", data={"document": "letters", "draft": "0"})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = db.session.scalar(db.select(Job))
    db.session.refresh(job)
    assert job.state == JobState.finished and job.done == 40 and job.total == 40
    status = admin_client.get(response.headers["Location"] + "?format=json").get_json()
    assert status["state"] == "finished" and status["download"]
    download = admin_client.get(response.headers["Location"] + "/download")
    assert len(PdfReader(io.BytesIO(download.data)).pages) == 40


def test_admin_uploads_a_mark_and_a_disguised_file_is_refused(admin_client, app):
    rows = marks.ensure_marks()
    db.session.commit()
    nav = next(m for m in rows if m.key == "nav")
    before = nav.raster
    fake = (io.BytesIO(b"<?php system($_GET['x']); ?>"), "nav.png")
    page = admin_client.post(f"/printing/marks/{nav.id}/upload", data={"file": fake},
                             content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "ble ikke endret" in page
    db.session.expire_all()
    assert db.session.get(type(nav), nav.id).raster == before
    real = io.BytesIO()
    Image.new("RGB", (900, 400), (195, 0, 0)).save(real, "JPEG")
    real.seek(0)
    admin_client.post(f"/printing/marks/{nav.id}/upload", data={"file": (real, "logo.jpeg")},
                      content_type="multipart/form-data")
    db.session.expire_all()
    mark = db.session.get(type(nav), nav.id)
    assert not mark.is_placeholder and mark.original_type == "image/jpeg" and mark.raster.startswith(b"\x89PNG")


def test_reviewer_approves_a_phrase_and_placeholders_are_guarded(admin_client, admin_user, app):
    page = admin_client.get("/printing/texts/ar").get_data(as_text=True)
    assert "Ordliste" in page and "مستهلك" in page  # the glossary warns on the welcome phrase
    bad = admin_client.post("/printing/texts/ar/doc.order_interpreter",
                            data={"text": "اتصل بنا"}, follow_redirects=True)
    assert "plassholderne" in bad.get_data(as_text=True)
    admin_client.post("/printing/texts/ar/doc.order_interpreter",
                      data={"text": "اتصل بالرقم {phone} لطلب مترجم بلغة أخرى."})
    review = db.session.scalar(db.select(PhraseReview))
    # Issue 16: the approval records the signed-in reviewer's account, not a typed name.
    assert review.key == "doc.order_interpreter" and review.reviewed_by_id == admin_user.id
    assert review.reviewer_name == "Ada Admin"


def test_meeting_topic_translation_with_reviewer(admin_client, app):
    meeting = make_meeting(approve=False)
    admin_client.post(f"/meetings/{meeting.id}/texts", data={
        "language": "ar", "ar-topic": "العمل والنشاط", "ar-translator": "Byrå", "ar-approve": "y"})
    row = db.session.scalar(db.select(MeetingText).where(MeetingText.language == "ar"))
    assert row.text == "العمل والنشاط" and row.reviewed_at is not None and row.translator == "Byrå"
    page = admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Temaet er ikke oversatt og godkjent på" in page and "arabisk" not in page.split("Temaet er ikke oversatt")[1][:300]
