"""Roles that match the work (issue 16): every route that approves, sends or prints personal data is
refused to a member without the capability (403, nothing changed) and works for one with it; the
approval records the account; the command line and background jobs are audited."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from brukermote.auth import capabilities
from brukermote.auth.capabilities import Capability, UserCapability
from brukermote.core.jobs import Job, JobState
from brukermote.core.models import AuditEntry
from brukermote.extensions import db
from brukermote.printing import marks, texts
from brukermote.printing.models import BrandMark, GlossaryTerm, MeetingText, PhraseReview
from brukermote.sms import services as sms_services
from brukermote.sms.models import SendKind, SmsSend, SmsTemplate
from tests.conftest import _user, login
from tests.printing.helpers import make_contacts, make_meeting
from tests.sms.conftest import add_contacts

#: An endpoint (or its URL) with one of these words approves, sends or prints: it must be classified below.
SENSITIVE = re.compile(r"approve|send|print|letters|labels|envelopes", re.IGNORECASE)

#: Routes that match SENSITIVE but approve, send and print nothing, and why.
NOT_GUARDED = {
    "printing.print_page": "shows the preflight and, for letters, only the recipient count",
    "printing.texts_overview": "counts of approved phrases per language",
    "printing.review_texts": "shows the texts and who approved them",
    "printing.glossary": "adds a term; approves nothing",
    "printing.add_rendering": "a rendering from a non-reviewer is kept unapproved (test below)",
    "printing.mark_image": "the logo, as printed on every poster",
    "sms.remove_reminder": "stops a scheduled reminder: sends nothing",
}


@dataclass
class World:
    meeting: object
    key: str  # a fixed phrase without placeholders


@dataclass
class Case:
    #: what the member is given for the "with it" run; None: make them an administrator
    grant: dict | None
    call: Callable  # (client, world) -> response
    worked: Callable  # (world, user, response) -> bool
    confidential: bool = False
    setup: Callable | None = None  # (world) -> None, before signing in


def _token() -> str:
    return "t" * 43


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1200, 600), (200, 0, 0)).save(out, "PNG")
    return out.getvalue()


def _a_review(world):
    db.session.add(PhraseReview(language="ar", key=world.key, text="نص", source=texts.phrase_keys()[world.key],
                                reviewer_name="Earlier"))
    db.session.commit()


def _audited(action, user) -> bool:
    return db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == action,
                                                         AuditEntry.user_id == user.id)) is not None


def _pdf_and_audit(document):
    return lambda world, user, response: (response.status_code == 200 and response.data.startswith(b"%PDF")
                                          and _audited(f"print.{document}", user))


def _print(document):
    return Case(grant={"print_personal": True}, confidential=True,
                call=lambda c, w: c.post(f"/meetings/{w.meeting.id}/print", data={"document": document, "draft": "1"}),
                worked=_pdf_and_audit(document))


REVIEW_AR = {"review": ["ar"]}

GUARDED: dict[str, list[Case]] = {
    "printing.approve_text": [Case(
        grant=REVIEW_AR, call=lambda c, w: c.post(f"/printing/texts/ar/{w.key}", data={"text": "نص معتمد"}),
        worked=lambda w, u, r: db.session.scalar(sa.select(PhraseReview.reviewed_by_id)) == u.id)],
    "printing.revoke_text": [Case(
        grant=REVIEW_AR, setup=_a_review, call=lambda c, w: c.post(f"/printing/texts/ar/{w.key}/revoke"),
        worked=lambda w, u, r: db.session.scalar(sa.select(sa.func.count(PhraseReview.id))) == 0)],
    "printing.meeting_texts": [Case(
        grant=REVIEW_AR,
        call=lambda c, w: c.post(f"/meetings/{w.meeting.id}/texts", data={
            "language": "ar", "ar-topic": "العمل والنشاط", "ar-translator": "Byrå", "ar-approve": "y"}),
        worked=lambda w, u, r: db.session.scalar(sa.select(MeetingText.reviewed_by_id).where(
            MeetingText.language == "ar", MeetingText.field == "topic")) == u.id)],
    "printing.make_pdf": [_print("letters"), _print("envelopes"), _print("labels")],
    "printing.marks": [Case(grant=None, call=lambda c, w: c.get("/printing/marks"),
                            worked=lambda w, u, r: r.status_code == 200)],
    "printing.mark_settings": [Case(
        grant=None,
        call=lambda c, w: c.post(f"/printing/marks/{_mark().id}/settings", data={
            f"m{_mark().id}-name": "NAV-logo (ny)", f"m{_mark().id}-min_width_mm": "20",
            f"m{_mark().id}-required": "y", f"m{_mark().id}-required_colour": ""}),
        worked=lambda w, u, r: _mark().name == "NAV-logo (ny)")],
    "printing.upload_mark": [Case(
        grant=None,
        call=lambda c, w: c.post(f"/printing/marks/{_mark().id}/upload", data={"file": (io.BytesIO(_png()), "nav.png")},
                                 content_type="multipart/form-data"),
        worked=lambda w, u, r: not _mark().is_placeholder)],
    "sms.send_now": [Case(
        grant={"send_sms": True},
        call=lambda c, w: c.post(f"/meetings/{w.meeting.id}/sms/send", data={
            "kind": "manual", "audience": "consented", "confirm": "yes", "send_token": _token()}),
        worked=lambda w, u, r: db.session.scalar(sa.select(SmsSend).where(SmsSend.kind == SendKind.manual)) is not None
        and _audited("sms.send", u))],
    "sms.add_reminder": [Case(
        grant={"send_sms": True},
        call=lambda c, w: c.post(f"/meetings/{w.meeting.id}/sms/reminders", data={
            "days_before": "2", "local_time": "10:00", "audience": "consented"}),
        worked=lambda w, u, r: db.session.scalar(sa.select(SmsSend).where(SmsSend.kind == SendKind.reminder))
        is not None and _audited("sms.schedule", u))],
    "sms.edit_template": [Case(
        grant=REVIEW_AR,
        call=lambda c, w: c.post("/sms/templates/reminder/ar", data={
            "body": "تذكير: {topic} {weekday} {date} الساعة {time} في {venue}. {stop}", "approve": "y",
            "action": "save"}),
        worked=lambda w, u, r: _template("ar").approved_by_id == u.id and _template("ar").approved)],
}


def _mark() -> BrandMark:
    return db.session.scalar(sa.select(BrandMark).where(BrandMark.key == "nav"))


def _template(language) -> SmsTemplate:
    from brukermote.sms.models import TemplateKind

    db.session.expire_all()
    return sms_services.get_template(TemplateKind.reminder, language)


def _world() -> World:
    meeting = make_meeting(approve=False)
    make_contacts(3, ["nb", "ar"])
    add_contacts(3)
    marks.ensure_marks()
    sms_services.ensure_templates()  # the editor seeds them on first view; not part of what is checked
    db.session.commit()
    key = next(k for k, source in texts.phrase_keys().items() if "{" not in source)
    return World(meeting, key)


def _snapshot() -> dict:
    """Every row of every table but the sign-in bookkeeping (sessions, attempts), as plain values."""
    db.session.expire_all()
    rows = {}
    for table in db.metadata.sorted_tables:
        if table.name in ("user_session", "login_attempt"):
            continue
        rows[table.name] = sorted(tuple(str(v) for v in row) for row in db.session.execute(table.select()))
    return rows


def _cases():
    for endpoint, cases in GUARDED.items():
        for index in range(len(cases)):
            yield pytest.param(endpoint, index, id=f"{endpoint}-{index}")


def test_every_route_that_approves_sends_or_prints_is_classified(app):
    matching = {rule.endpoint for rule in app.url_map.iter_rules()
                if rule.endpoint != "static" and (SENSITIVE.search(rule.endpoint) or SENSITIVE.search(rule.rule))}
    unclassified = matching - set(GUARDED) - set(NOT_GUARDED)
    assert not unclassified, f"classify these in tests/auth/test_capabilities.py: {sorted(unclassified)}"
    assert not (set(GUARDED) | set(NOT_GUARDED)) - set(app.view_functions), "a classified route no longer exists"


@pytest.mark.parametrize("endpoint,index", list(_cases()))
def test_without_the_capability_403_and_nothing_changes(app, client, endpoint, index):
    case = GUARDED[endpoint][index]
    world = _world()
    if case.setup:
        case.setup(world)
    # A member bound by secrecy, even, but without this capability (nor any other).
    member = _user("member@example.org", confidential=True, name="Mona Member")
    assert login(client, member.email).status_code == 302
    before = _snapshot()
    response = case.call(client, world)
    assert response.status_code == 403, (endpoint, response.status_code)
    db.session.rollback()
    assert _snapshot() == before


@pytest.mark.parametrize("endpoint,index", list(_cases()))
def test_with_the_capability_it_works(app, client, endpoint, index):
    case = GUARDED[endpoint][index]
    world = _world()
    if case.setup:
        case.setup(world)
    if case.grant is None:
        user = _user("boss@example.org", admin=True, name="Bo Boss")
    else:
        # Not an administrator: the capability alone is what allows it.
        user = _user("member@example.org", confidential=case.confidential, name="Mona Member")
        capabilities.set_capabilities(user, review=case.grant.get("review", []), send_sms=case.grant.get("send_sms", False),
                                      print_personal=case.grant.get("print_personal", False),
                                      by=capabilities.SystemActor("test"))
        db.session.commit()
    assert login(client, user.email).status_code == 302
    response = case.call(client, world)
    assert response.status_code in (200, 302), (endpoint, response.status_code)
    db.session.expire_all()
    assert case.worked(world, user, response), endpoint


def test_printing_needs_secrecy_as_well_as_the_capability(app, client):
    world = _world()
    user = _user("member@example.org", name="Mona Member")  # not bound by secrecy
    capabilities.set_capabilities(user, review=[], send_sms=False, print_personal=True, by=None)
    db.session.commit()
    login(client, user.email)
    response = client.post(f"/meetings/{world.meeting.id}/print", data={"document": "letters", "draft": "1"})
    assert response.status_code == 403


def test_a_reviewer_of_one_language_cannot_approve_another(app, client):
    world = _world()
    user = _user("member@example.org", name="Mona Member")
    capabilities.set_capabilities(user, review=["so"], send_sms=False, print_personal=False, by=None)
    db.session.commit()
    login(client, user.email)
    assert client.post(f"/printing/texts/ar/{world.key}", data={"text": "نص"}).status_code == 403
    assert client.post(f"/printing/texts/so/{world.key}", data={"text": "Qoraal"}).status_code == 302


def test_norwegian_is_approved_by_its_reviewers_or_any_administrator(app, client):
    world = _world()
    admin = _user("boss@example.org", admin=True, name="Bo Boss")  # no capabilities granted
    member = _user("member@example.org", name="Mona Member")
    assert capabilities.may_review(admin, "nb") and not capabilities.may_review(admin, "ar")
    assert not capabilities.may_review(member, "nb")
    login(client, member.email)
    # The Norwegian SMS text is what every unapproved language gets: changing it is approving it.
    body = "Husk {topic} {weekday} {date} kl. {time} på {venue}. {stop}"
    assert client.post("/sms/templates/reminder/nb", data={"body": body, "action": "save"}).status_code == 403
    assert client.post(f"/printing/texts/nb/{world.key}", data={"text": "Tekst"}).status_code == 403
    client.post("/logout")
    login(client, admin.email)
    assert client.post("/sms/templates/reminder/nb", data={"body": body, "action": "save"}).status_code == 302
    assert _template("nb").body == body and _template("nb").approved_by_id == admin.id


def test_members_without_capabilities_see_counts_and_texts_not_buttons(app, client):
    world = _world()
    member = _user("member@example.org", confidential=True, name="Mona Member")
    login(client, member.email)
    sms_page = client.get(f"/meetings/{world.meeting.id}/sms").get_data(as_text=True)
    assert "3 personer har sagt ja til SMS" in sms_page
    assert "/sms/send" not in sms_page and "/sms/reminders" not in sms_page
    print_page = client.get(f"/meetings/{world.meeting.id}/print?document=letters").get_data(as_text=True)
    assert "(3)" in print_page and "taushetsplikt" in print_page and "Ferdig PDF" not in print_page
    review = client.get("/printing/texts/ar").get_data(as_text=True)
    assert 'name="text"' not in review and "Bare en korrekturleser" in review
    template = client.get("/sms/templates/reminder/ar").get_data(as_text=True)
    assert 'name="approve"' not in template


def test_the_approval_records_the_account_and_shows_on_the_review_pages(app, client):
    world = _world()
    reviewer = _user("amal@example.org", name="Amal Reviewer")
    capabilities.set_capabilities(reviewer, review=["ar"], send_sms=False, print_personal=False, by=None)
    db.session.commit()
    login(client, reviewer.email)
    # A typed reviewer name is ignored: the approval is the signed-in account's.
    client.post(f"/printing/texts/ar/{world.key}", data={"text": "نص معتمد", "reviewer_name": "Somebody Else"})
    review = db.session.scalar(sa.select(PhraseReview))
    assert (review.reviewed_by_id, review.reviewer_name) == (reviewer.id, "Amal Reviewer")
    page = client.get("/printing/texts/ar").get_data(as_text=True)
    shown = re.search(rf'id="{re.escape(world.key)}".*?data-approved-by>([^<]*)<', page, re.S).group(1)
    assert "av Amal Reviewer" in shown and str(dt.date.today().year) in shown
    client.post(f"/meetings/{world.meeting.id}/texts", data={"language": "ar", "ar-topic": "العمل", "ar-approve": "y"})
    assert "godkjent av Amal Reviewer" in client.get(f"/meetings/{world.meeting.id}/texts").get_data(as_text=True)
    client.post("/sms/templates/reminder/ar", data={
        "body": "تذكير: {topic} {weekday} {date} الساعة {time} في {venue}. {stop}", "approve": "y", "action": "save"})
    assert "av Amal Reviewer" in client.get("/sms/templates/reminder/ar").get_data(as_text=True)
    # The account goes; the name at the time stays, the link is cleared.
    db.session.delete(db.session.get(type(reviewer), reviewer.id))
    db.session.commit()
    db.session.expire_all()
    review = db.session.scalar(sa.select(PhraseReview))
    assert (review.reviewed_by_id, review.reviewer_name) == (None, "Amal Reviewer")


def test_a_glossary_rendering_from_a_non_reviewer_is_kept_unapproved(app, client):
    _world()
    member = _user("member@example.org", name="Mona Member")
    login(client, member.email)
    client.get("/printing/glossary")
    term = db.session.scalar(sa.select(GlossaryTerm))
    client.post(f"/printing/glossary/{term.id}/renderings", data={"language": "so", "rendering": "kulan", "approved": "y"})
    db.session.expire_all()
    assert term.rendering("so").rendering == "kulan" and not term.rendering("so").approved


def test_an_administrator_grants_capabilities_on_the_user_page_and_it_is_audited(app, admin_client, member_user):
    page = admin_client.get(f"/users/{member_user.id}").get_data(as_text=True)
    assert 'name="capability_review" value="ar"' in page
    admin_client.post(f"/users/{member_user.id}", data={
        "name": member_user.name, "email": member_user.email, "locale": "nb", "is_active_member": "y",
        "capabilities_shown": "1", "capability_review": ["ar", "so"], "capability_send_sms": "1"})
    pairs = set(db.session.execute(sa.select(UserCapability.capability, UserCapability.language)
                                   .where(UserCapability.user_id == member_user.id)).all())
    assert pairs == {(Capability.review, "ar"), (Capability.review, "so"), (Capability.send_sms, "")}
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.capabilities",
                                                          AuditEntry.detail.contains(f"user:{member_user.id}")))
    assert "+review:ar" in entry.detail and "+send_sms" in entry.detail


def test_a_mail_merge_from_the_command_line_is_audited(app, runner, tmp_path):
    world = _world()
    out = tmp_path / "letters.pdf"
    result = runner.invoke(args=["print", "letters", str(world.meeting.id), "-o", str(out), "--draft"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "print.letters"))
    assert entry is not None and entry.user_label.startswith("cli:") and "3 contacts" in entry.detail


def test_a_background_mail_merge_is_checked_and_audited_as_the_member_who_started_it(app, client):
    world = _world()
    make_contacts(30, ["nb", "so"])
    user = _user("member@example.org", confidential=True, name="Mona Member")
    capabilities.set_capabilities(user, review=[], send_sms=False, print_personal=True, by=None)
    db.session.commit()
    user_id, meeting_id = user.id, world.meeting.id  # the job's own session detaches what is loaded here
    login(client, user.email)
    response = client.post(f"/meetings/{meeting_id}/print", data={"document": "labels", "draft": "1"})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = db.session.scalar(sa.select(Job))
    db.session.refresh(job)
    assert job.state == JobState.finished
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "print.labels"))
    assert entry.user_id == user_id and "33 contacts" in entry.detail


def test_services_refuse_without_an_actor(app):
    world = _world()
    from brukermote.printing import services as printing
    from brukermote.sms.models import Audience

    with pytest.raises(capabilities.CapabilityError):
        printing.render(world.meeting, printing.PrintRequest(document="letters", draft=True))
    with pytest.raises(capabilities.CapabilityError):
        sms_services.send_now(world.meeting, SendKind.manual, Audience.consented, actor=None)
    with pytest.raises(capabilities.CapabilityError):
        sms_services.add_reminder(world.meeting, 2, dt.time(10, 0), actor=None)
