"""Reviewing a document's texts in one language: only what the document prints, labelled for people,
beside the Norwegian and the English, approved several at once by a reviewer of the language."""

from __future__ import annotations

import re

import sqlalchemy as sa

from brukermote.core.models import AuditEntry
from brukermote.extensions import db
from brukermote.printing import phrase_labels, texts
from brukermote.printing.layout import DOCUMENTS
from brukermote.printing.models import PhraseReview


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def _reviews(code: str) -> dict[str, PhraseReview]:
    return {r.key: r for r in db.session.scalars(sa.select(PhraseReview).where(PhraseReview.language == code))}


def test_every_phrase_has_a_human_label():
    assert set(phrase_labels.LABELS) == set(texts.phrase_keys())


def test_the_poster_page_shows_only_the_poster_texts_with_labels_and_sources(admin_client, app):
    html = admin_client.get("/printing/texts/ar?document=poster").get_data(as_text=True)
    poster_keys = DOCUMENTS["poster"].phrase_keys()
    assert len(poster_keys) == 22
    assert html.count('<section class="card phrase') == 22
    assert 'id="slip.name"' not in html and 'id="web.submit"' not in html
    visible = _visible(html)
    assert "doc.open_meeting" not in visible and "doc." not in visible
    section = html[html.index('id="doc.order_interpreter"'):]
    section = section[:section.index("</section>")]
    assert "Slik bestiller man tolk" in section                     # the label
    assert "Ring {phone} for å bestille tolk" in section or "{phone}" in section
    assert 'lang="nb"' in section and "Call {phone} to order an interpreter in another language." in section
    everything = admin_client.get("/printing/texts/ar").get_data(as_text=True)
    assert everything.count('<section class="card phrase') == len(texts.phrase_keys())


def test_a_reviewer_approves_several_texts_at_once(admin_client, admin_user, app):
    before = _reviews("ar")
    chosen = ["doc.open_meeting", "doc.when", "doc.order_interpreter"]
    current = texts.phrases_for("ar")
    data = {"approve": chosen, "document": "poster"}
    for key in chosen:
        data[f"text-{key}"] = current[key].text
    data["text-doc.when"] = "متى"  # corrected on the way
    response = admin_client.post("/printing/texts/ar?document=poster", data=data, follow_redirects=True)
    assert "3 tekster er godkjent." in response.get_data(as_text=True)
    after = _reviews("ar")
    assert set(after) - set(before) >= set(chosen) - set(before)
    assert after["doc.when"].text == "متى" and after["doc.when"].reviewer_name == "Ada Admin"
    entries = db.session.scalars(sa.select(AuditEntry.detail).where(AuditEntry.action == "printing.approve")).all()
    assert sorted(entries) == sorted(f"ar {key}" for key in chosen)


def test_one_broken_placeholder_approves_nothing_and_keeps_what_was_typed(admin_client, app):
    before = _reviews("ar")
    data = {"approve": ["doc.when", "doc.order_interpreter"], "text-doc.when": "متى",
            "text-doc.order_interpreter": "اتصل لطلب مترجم"}
    response = admin_client.post("/printing/texts/ar?document=poster", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ingenting ble godkjent" in html and "Slik bestiller man tolk må beholde plassholderne phone" in html
    assert "اتصل لطلب مترجم</textarea>" in html and 'id="approve-doc.when" checked' in html
    assert _reviews("ar").keys() == before.keys()


def test_nothing_ticked_or_an_empty_text_is_refused(admin_client, app):
    html = admin_client.post("/printing/texts/ar", data={"text-doc.when": "متى"}, follow_redirects=True)
    assert "Kryss av tekstene du godkjenner." in html.get_data(as_text=True)
    html = admin_client.post("/printing/texts/ar", data={"approve": ["doc.when"], "text-doc.when": "  "})
    assert "Ledetekst foran dato og tid er tom." in html.get_data(as_text=True)
    assert "doc.when" not in _reviews("ar")


def test_only_a_reviewer_of_the_language_may_approve(member_client, app):
    html = member_client.get("/printing/texts/ar?document=poster").get_data(as_text=True)
    assert "<textarea" not in html and "Godkjenn de avkryssede tekstene" not in html
    response = member_client.post("/printing/texts/ar", data={"approve": ["doc.when"], "text-doc.when": "متى"})
    assert response.status_code == 403
    assert "doc.when" not in _reviews("ar")
