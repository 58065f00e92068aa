"""The order sheet sent to a provider: what, when, where, who pays, who meets the interpreter, and the
reference — one A4 page in Norwegian, drawn with the printing engine (embedded Noto fonts, marks row)."""

from __future__ import annotations

import datetime as dt

from reportlab.lib.colors import Color, black

from ..core import languages
from ..core.phone import display_phone
from ..core.timeutil import to_local, utcnow
from ..meetings.models import MeetingType
from ..printing import texts
from ..printing.documents import Document, PrintContext
from ..printing.layout import GREY, MM, Pen, draw_mark_row, write_line
from .models import BookingMode, BookingStatus, InterpreterBooking

NB = "nb"

MODE_NB = {
    BookingMode.plenary: "Oppmøtetolking i plenum (konsekutiv/simultan etter avtale)",
    BookingMode.tables: "Oppmøtetolking ved bordene (samtaler i små grupper)",
    BookingMode.phone: "Telefontolking",
}


#: What kind of meeting the interpreter comes to, in the sheet's language (always Norwegian, whatever
#: the user's interface language): its name, and what it is, for the provider's briefing.
MEETING_NB = {
    MeetingType.listening_post: ("Lyttepost", "lyttepost der NAV lytter til beboere og brukere"),
    MeetingType.user_meeting: ("Brukermøte", "åpent brukermøte for beboere og brukere av NAV"),
    MeetingType.dialogue_conference: ("Dialogkonferanse", "dialogkonferanse mellom brukere, beboere og NAV"),
    MeetingType.committee_meeting: ("Arbeidsutvalgsmøte", "møte i arbeidsutvalget for brukermøtene"),
}
RED = Color(0.75, 0.0, 0.0)


def cancelled(booking: InterpreterBooking) -> bool:
    """Whether the sheet tells the provider the interpreter is not to come."""
    return booking.meeting.is_cancelled or booking.status == BookingStatus.cancelled


def cancellation_text(booking: InterpreterBooking) -> str:
    meeting = booking.meeting
    if meeting.is_cancelled:
        reason = f" ({meeting.cancel_reason})" if meeting.cancel_reason else ""
        return f"Møtet er avlyst{reason}. Bestillingen avbestilles – tolken skal ikke komme."
    return "Bestillingen er avbestilt – tolken skal ikke komme."


def reference(booking: InterpreterBooking) -> str:
    """Our reference for the order, printed on the sheet and used in the file name."""
    return f"BM-{booking.meeting_id}-{booking.id}"


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} t {rest} min"
    return f"{hours} t" if hours else f"{rest} min"


def _kr(value) -> str:
    if value is None:
        return "–"
    whole = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return f"kr {whole}"


def day_contact(booking: InterpreterBooking, org) -> str:
    if booking.day_contact:
        return booking.day_contact
    meeting = booking.meeting
    name = meeting.created_by.name if getattr(meeting, "created_by", None) else ""
    return ", ".join(p for p in (name, display_phone(org.interpreter_phone)) if p) or "–"


def rows(booking: InterpreterBooking, org) -> list[tuple[str, str]]:
    meeting = booking.meeting
    lang = languages.LANGUAGES.get(booking.language)
    language_text = f"{lang.name_nb[:1].upper()}{lang.name_nb[1:]} ({lang.native_name})" if lang else booking.language
    arrival = to_local(booking.arrives_at)
    until = to_local(booking.ends_at)
    start = meeting.local_start
    briefing = int((meeting.starts_at - booking.arrives_at).total_seconds() // 60)
    arrival_text = texts.clock(arrival.time(), NB)
    if briefing > 0:
        arrival_text += f" – {briefing} minutter før møtet starter kl. {texts.clock(start.time(), NB)}, for en kort orientering"
    venue = meeting.venue
    where = "–"
    if venue is not None:
        where = ", ".join(p for p in (venue.name, venue.address) if p)
        if venue.transport:
            where += f"\nKollektivt: {venue.transport}"
    if booking.mode == BookingMode.phone:
        where = "Telefon – vi ringer tolken på nummeret dere oppgir." + (f"\n(Møtested: {where})" if venue else "")
    payer = [org.name or "Brukermøte"]
    if org.sender_line:
        payer.append(org.sender_line)
    if org.return_address:
        payer.append(org.return_address.replace("\n", ", "))
    type_name, type_text = MEETING_NB.get(meeting.type, ("Møte", "møte"))
    result = [
        ("Vår referanse", reference(booking) + (f"  ·  Deres referanse: {booking.reference}" if booking.reference else "")),
        ("Språk", language_text),
        ("Type oppdrag", MODE_NB[booking.mode]),
        ("Dato", texts.long_date(arrival.date(), NB)),
        ("Oppmøte", arrival_text),
        ("Varighet", f"{_duration(booking.minutes)} (til kl. {texts.clock(until.time(), NB)})"),
        ("Sted", where),
        ("Møtet", f"{meeting.topic or type_name} – {type_text}. "
                  "Innlederne er bedt om å snakke langsomt og unngå faguttrykk."),
        ("Kontaktperson på dagen", day_contact(booking, org)),
        ("Tolk", f"{booking.interpreter.name}" + (f", {booking.interpreter.phone}" if booking.interpreter.phone else "")
         if booking.interpreter else "Velges av dere – oppgi navn og telefon i bekreftelsen"),
        ("Betales av", "\n".join(payer)),
        ("Anslått pris", _kr(booking.estimated_cost)),
    ]
    if booking.notes:
        result.append(("Merknader", booking.notes))
    if cancelled(booking):
        result.insert(0, ("AVLYST", cancellation_text(booking)))
    return result


def order_sheet(booking: InterpreterBooking, ctx: PrintContext) -> bytes:
    """One A4 page; ``ctx`` comes from ``printing.services.context(meeting, draft=False)``."""
    org, provider = ctx.org, booking.provider
    off = cancelled(booking)
    doc = Document(ctx, "A4", title=f"{'Avbestilling' if off else 'Tolkebestilling'} {reference(booking)}")
    pen, canvas = doc.pen, doc.canvas
    x, w = 18 * MM, doc.width - 36 * MM
    draw_mark_row(canvas, ctx.marks, "briefing", "A4", x, doc.height - 10 * MM)
    if off:
        # Across the page, so a sheet printed or forwarded is never mistaken for a standing order.
        canvas.saveState()
        canvas.translate(doc.width / 2, doc.height / 2)
        canvas.rotate(35)
        Pen(canvas).text("AVLYST", NB, -doc.width, 40, 2 * doc.width, 90, bold=True, align="center",
                         colour=Color(0.75, 0.0, 0.0, alpha=0.22))
        canvas.restoreState()
    y = doc.height - 30 * MM
    if off:
        y -= pen.text("AVLYST – avbestilling av tolk", NB, x, y, w, 22, bold=True, colour=RED) + 2
    else:
        y -= pen.text("Bestilling av tolk", NB, x, y, w, 22, bold=True) + 2
    y -= pen.text(f"Sendt {texts.long_date(to_local(utcnow()).date(), NB)}", NB, x, y, w, 10, colour=GREY) + 8
    if provider is not None:
        to_lines = [provider.name] + [p for p in (provider.contact_person, provider.phone, provider.email,
                                                   provider.order_address) if p]
        y -= pen.text("Til: " + " · ".join(to_lines), NB, x, y, w, 11) + 8
    label_w = 48 * MM
    for label, value in rows(booking, org):
        stop = label == "AVLYST"
        colour = RED if stop else black
        used = pen.text(label, NB, x, y, label_w - 3 * MM, 11, bold=True, colour=colour)
        used = max(used, pen.text(value, NB, x + label_w, y, w - label_w, 11, bold=stop, colour=colour))
        y -= used + 3
        write_line(canvas, x, y + 1, w)
        y -= 4
    y -= 10
    if off:
        pen.text("Bekreft avbestillingen til kontaktpersonen. Har tolken alt fått oppdraget, gi tolken beskjed.",
                 NB, x, y, w, 10.5)
    else:
        y -= pen.text("Bekreft bestillingen til kontaktpersonen, med tolkens navn og telefonnummer. "
                      "Gi beskjed straks hvis tolken blir forhindret.", NB, x, y, w, 10.5) + 4
        pen.text("Fakturaen merkes med vår referanse og sendes til den som betaler.", NB, x, y, w, 10.5, colour=GREY)
    doc.end_page()
    return doc.finish()


def filename(booking: InterpreterBooking) -> str:
    day = to_local(booking.arrives_at).date() if booking.arrives_at else dt.date.today()
    kind = "tolkeavbestilling" if cancelled(booking) else "tolkebestilling"
    return f"{kind}-{day.isoformat()}-{booking.language}-{reference(booking)}.pdf"
