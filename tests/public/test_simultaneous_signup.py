"""A participant on a slow phone presses "Sign up" twice, or the page is open in two tabs: identical
sign-ups that reach a running server at the same moment (real HTTP, a thread per request) count one
person — one registration, one contact, one consent, one SMS asking for a "yes"."""

from __future__ import annotations

import html
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa

from brukermote.extensions import db
from brukermote.meetings.models import Meeting
from brukermote.outreach.models import Consent, Contact, Registration
from brukermote.printing.texts import text_set
from brukermote.sms.models import SmsMessage
from tests.live import LiveServer, at_the_same_time
from tests.sms.test_simultaneous_requests import PAIRS, PAIRS_AT_ONCE, _published_meetings


def _fire(server, meeting_ids, form_for):
    uids = {m.id: m.uid for m in db.session.scalars(sa.select(Meeting).where(Meeting.id.in_(meeting_ids)))}

    def pair(index_and_id):
        index, meeting_id = index_and_id
        url = f"{server.url}/m/{uids[meeting_id]}/signup"
        form = form_for(index)
        # Two tabs: two browsers' worth of cookies, the same typed form.
        tabs = [requests.Session(), requests.Session()]
        return at_the_same_time(*[lambda tab=tab: tab.post(url, data=form, allow_redirects=False, timeout=120)
                                  for tab in tabs])

    with ThreadPoolExecutor(PAIRS_AT_ONCE) as pool:
        return list(pool.map(pair, enumerate(meeting_ids)))


def _one_signed_up_one_told(responses, language: str, matched: str) -> None:
    """Of each pair, one went on to the thank-you page and the other was told, on a page of its own,
    that this person is already registered — no error, no second registration."""
    outcomes = Counter(tuple(sorted(r.status_code for r in pair)) for pair in responses)
    assert outcomes == Counter({(200, 302): PAIRS}), outcomes
    t = text_set(language)
    for pair in responses:
        told = next(r for r in pair if r.status_code == 200).text
        assert html.escape(t("web.already_title")) in told
        assert html.escape(t(f"web.already_{matched}")) in told
        # The other tab is another browser session: it is not shown what the first one asked for.
        assert 'class="facts already"' not in told


def _registrations_per_meeting() -> Counter:
    return Counter(db.session.scalars(sa.select(Registration.meeting_id)))


def test_fifty_pairs_of_simultaneous_sign_ups_with_a_phone_count_fifty_people(app):
    meeting_ids = _published_meetings(PAIRS, languages=("nb", "so"))
    with LiveServer(app) as server:
        responses = _fire(server, meeting_ids, lambda i: {
            "lang": "so", "adults": "2", "name": f"Deltaker {i}", "phone": f"+47 91 {i:06d}"[:15],
            "sms_consent": "1"})
    _one_signed_up_one_told(responses, "so", "phone")
    db.session.expire_all()
    assert _registrations_per_meeting() == Counter({meeting_id: 1 for meeting_id in meeting_ids})
    phones = Counter(db.session.scalars(sa.select(Contact.phone)))
    assert len(phones) == PAIRS and set(phones.values()) == {1}
    assert db.session.scalar(sa.select(sa.func.count(Consent.id))) == PAIRS
    # Each number is asked for its "yes" once (and sent nothing else before it answers).
    asked = Counter(db.session.scalars(sa.select(SmsMessage.phone)))
    assert set(asked) <= set(phones) and set(asked.values()) <= {1}


def test_fifty_pairs_of_simultaneous_sign_ups_with_only_a_name_count_fifty_people(app):
    meeting_ids = _published_meetings(PAIRS)
    with LiveServer(app) as server:
        responses = _fire(server, meeting_ids, lambda i: {"lang": "nb", "adults": "1", "name": "Amina Yusuf"})
    _one_signed_up_one_told(responses, "nb", "name")
    db.session.expire_all()
    assert _registrations_per_meeting() == Counter({meeting_id: 1 for meeting_id in meeting_ids})
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == PAIRS


def test_one_number_signed_up_for_two_meetings_at_the_same_moment_is_asked_for_its_yes_once(app):
    """The same person signs up for two meetings in two tabs at once: two registrations (one per
    meeting), but the number gets one SMS asking for a "yes", not two (at most one a day per number)."""
    meeting_ids = _published_meetings(2 * PAIRS, languages=("nb", "ar"))
    uids = {m.id: m.uid for m in db.session.scalars(sa.select(Meeting).where(Meeting.id.in_(meeting_ids)))}
    with LiveServer(app) as server:
        def pair(index):
            form = {"lang": "ar", "adults": "1", "name": f"Deltaker {index}", "phone": f"+47 92 {index:06d}",
                    "sms_consent": "1"}
            urls = [f"{server.url}/m/{uids[meeting_ids[2 * index + side]]}/signup" for side in (0, 1)]
            return at_the_same_time(*[lambda url=url: requests.post(url, data=form, allow_redirects=False,
                                                                    timeout=120) for url in urls])

        with ThreadPoolExecutor(PAIRS_AT_ONCE) as pool:
            responses = list(pool.map(pair, range(PAIRS)))
    # Both sign-ups went through (each to its meeting's thank-you page).
    assert Counter(r.status_code for pair in responses for r in pair) == Counter({302: 2 * PAIRS})
    db.session.expire_all()
    assert _registrations_per_meeting() == Counter({meeting_id: 1 for meeting_id in meeting_ids})
    asked = Counter(db.session.scalars(sa.select(SmsMessage.phone)))
    assert len(asked) == PAIRS and set(asked.values()) == {1}, f"{sum(asked.values()) - len(asked)} numbers asked twice"
