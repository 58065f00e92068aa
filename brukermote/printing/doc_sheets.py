"""Sheets for the people running the meeting: the programme and the interpreter briefing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..meetings.models import ProgrammeKind
from ..meetings.services import programme_clock
from . import texts
from .document import NB, Document, Flow, PrintContext, both, direction, fit, sheet
from .layout import MM, SAFE_MM, draw_mark_row

#: Content ends this far above the paper's bottom edge (points).
BOTTOM = (SAFE_MM + 10) * MM


def _kind_label(ctx: PrintContext, lang: str, kind: ProgrammeKind) -> str:
    key = {"break": "programme.break"}.get(kind.value, f"programme.{kind.value}")
    return ctx.t(lang)(key)


def _continued(ctx: PrintContext, doc: Document, document: str, x: float) -> Callable[[], float]:
    """A continuation page: the marks row again (every page carries them), then the content."""
    def new_page() -> float:
        draw_mark_row(doc.canvas, ctx.marks, document, "A4", x, doc.height - 10 * MM)
        return doc.height - 30 * MM
    return new_page


def programme(ctx: PrintContext, lang: str = NB) -> bytes:
    return fit(ctx, lambda scale: _programme(ctx, lang, scale), min_scale=0.85)


def _programme(ctx: PrintContext, lang: str, scale: float) -> Document:
    doc, x, w, y = sheet(ctx, "programme", "Program", lang, scale)
    pen = doc.pen
    flow = Flow(doc, y, BOTTOM, _continued(ctx, doc, "programme", x))
    flow.y -= pen.parts(both(ctx, lang, "programme.title"), x, flow.y, w, 22, bold=True, role="H1") + 4
    topic = ctx.field(lang, "topic")
    if topic:
        flow.text(topic, lang, x, w, 16, 2, bold=True, role="H2")
    flow.text(ctx.date_line(lang), lang, x, w, 13, 1, bold=True)
    flow.text(ctx.time_line(lang), lang, x, w, 12, 2)
    venue = ctx.venue
    flow.text(f"{ctx.t(lang)('doc.where')}: {venue.name}, {venue.address}", lang, x, w, 12, 10)
    rtl = direction(lang) == "rtl"
    time_w = 32 * MM
    for row in programme_clock(ctx.meeting):
        times = f"{texts.clock(row.starts.time(), lang)}–{texts.clock(row.ends.time(), lang)}"
        label = _kind_label(ctx, lang, row.item.kind)
        detail = row.item.title + (f" – {row.item.speaker.name}" if row.item.speaker else "")
        needed = pen.height(label, lang, w - time_w, 12, bold=True) + (
            pen.height(detail, NB, w - time_w, 11) if detail.strip() else 0)
        flow.room(needed)
        tx = x + w - time_w if rtl else x
        bx = x if rtl else x + time_w
        y = flow.y
        pen.text(times, lang, tx, y, time_w, 12, bold=True)
        used = pen.text(label, lang, bx, y, w - time_w, 12, bold=True)
        if detail.strip():
            # Norwegian detail under a right-to-left label keeps to the same (right) edge.
            used += pen.text(detail, NB, bx, y - used, w - time_w, 11, align="right" if rtl else "left")
        flow.y -= max(used, 14) + 8
    doc.end_page()
    return doc


#: When the booked interpreters are to arrive: ``fn(meeting) -> aware datetime | None`` (the
#: interpreter bookings register one); without any, the briefing says 15 minutes before the start.
briefing_arrival_sources: list[Callable] = []


def _briefing_arrival(meeting) -> dt.datetime:
    from ..core.timeutil import local_zone

    for source in briefing_arrival_sources:
        moment = source(meeting)
        if moment is not None:
            return moment.astimezone(local_zone())
    return meeting.starts_at.astimezone(local_zone()) - dt.timedelta(minutes=15)


#: The languages interpreters are actually booked in: ``fn(meeting) -> [language code]`` (the
#: interpreter bookings register one); when none says any, the meeting's interpreter languages.
briefing_language_sources: list[Callable] = []


def _briefing_languages(meeting) -> list[str] | None:
    for source in briefing_language_sources:
        codes = source(meeting)
        if codes:
            return list(codes)
    return None


def briefing(ctx: PrintContext, lang: str = NB) -> bytes:
    return fit(ctx, lambda scale: _briefing(ctx, lang, scale), min_scale=0.85)


def _briefing(ctx: PrintContext, lang: str, scale: float) -> Document:
    doc, x, w, y = sheet(ctx, "briefing", "Tolkeorientering", lang, scale)
    t = ctx.t(lang)
    flow = Flow(doc, y, BOTTOM, _continued(ctx, doc, "briefing", x))
    flow.text(t("briefing.title"), lang, x, w, 22, 6, bold=True, role="H1")
    arrival = _briefing_arrival(ctx.meeting)
    # The usual 15 minutes has its own sentence; any other arrival time only names the time.
    usual = ctx.meeting.starts_at - arrival == dt.timedelta(minutes=15)
    flow.text(t("briefing.arrive" if usual else "briefing.arrive_at", time=texts.clock(arrival.time(), lang)),
              lang, x, w, 14, 4, bold=True)
    flow.text(ctx.date_line(lang), lang, x, w, 13, 1, bold=True)
    flow.text(ctx.time_line(lang), lang, x, w, 12, 2)
    venue = ctx.venue
    flow.text(f"{t('doc.where')}: {venue.name}, {venue.address}", lang, x, w, 12, 2)
    contact = (ctx.meeting.created_by.name if getattr(ctx.meeting, "created_by", None) else "") or (ctx.org.sender_line or "")
    flow.text(t("briefing.contact", contact=f"{contact}, {ctx.phone}".strip(", ")), lang, x, w, 12, 2)
    # The interpreters reading this need the languages booked, not the committee's usual defaults.
    names = ctx.interpreter_names(_briefing_languages(ctx.meeting))
    if names:
        flow.text(t("doc.interpreters_present", languages=names), lang, x, w, 12, 10)
    flow.text(t("briefing.speakers"), lang, x, w, 14, 3, bold=True, role="H2")
    speakers = {row.item.speaker.id: row.item.speaker for row in programme_clock(ctx.meeting) if row.item.speaker}
    rtl = direction(lang) == "rtl"
    side = "right" if rtl else "left"
    for speaker in speakers.values():
        flow.text(f"• {speaker.name}" + (f" ({speaker.organisation})" if speaker.organisation else ""),
                  NB, x, w, 12, 2, align=side)
    flow.space(8)
    flow.text(t("programme.title"), lang, x, w, 14, 3, bold=True, role="H2")
    for row in programme_clock(ctx.meeting):
        line = (f"{texts.clock(row.starts.time(), lang)}–{texts.clock(row.ends.time(), lang)}  "
                f"{_kind_label(ctx, lang, row.item.kind)}")
        flow.text(line, lang, x, w, 11, 0, bold=True)
        if row.item.title:
            flow.text(row.item.title, NB, x if rtl else x + 6 * MM, w - 6 * MM, 10.5, 0, align=side)
        flow.space(3)
    flow.space(8)
    flow.text(t("briefing.advice_title"), lang, x, w, 14, 3, bold=True, role="H2")
    flow.items([t(f"briefing.advice_{index}") for index in range(1, 6)], lang, x, w, 11.5, 3)
    doc.end_page()
    return doc
