"""What participants read: the shipped default wording per language, placeholders, and SMS arithmetic.

The wording is *content* (like the printed texts), not UI strings: the committee edits it per language
and a member who reads the language approves it. Only Norwegian and English ship approved; anything
else is sent in Norwegian until approved (the committee is told).

Placeholders: ``{topic}``, ``{date}`` (weekday and date from CLDR for the meeting's date),
``{weekday}``, ``{time}``, ``{venue}``, ``{stop}`` (the stop word in the language), and nothing else:
no format specs (``{topic:d}``), conversions (``{topic!r}``), attribute or index access
(``{topic.__class__}``, ``{topic[0]}``), positional or unknown fields. ``{{`` and ``}}`` are literal
braces. A text is checked with ``string.Formatter().parse`` when it is saved, and filled by
substituting exactly those six names, never with ``str.format``, so a text stored before the check
(or by hand in the database) cannot crash a page or a sending pass.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from decimal import Decimal

from ..core import languages

PLACEHOLDERS = ("topic", "date", "weekday", "time", "venue", "stop")
#: Placeholders a kind must use (a reminder without its date is no reminder).
REQUIRED = {"reminder": ("date", "time"), "cancellation": ("date",)}
APPROVED_BY_DEFAULT = ("nb", "en")
FALLBACK_LANGUAGE = "nb"

#: The glossary rule of the printables applies here too: never "users' meeting" / "consumers"; say
#: "open meeting" (the Norwegian «brukermøte» is the committee's own word).
DEFAULTS: dict[str, dict[str, str]] = {
    "reminder": {
        "nb": "Påminnelse: Brukermøte om {topic} {date} kl. {time}, {venue}. Gratis og frivillig, "
              "alle er velkommen. Svar JA for å melde deg på. Svar {stop} for å slutte å få SMS.",
        "en": "Reminder: open meeting about {topic} on {date} at {time}, {venue}. Free and voluntary, "
              "everyone is welcome. Reply YES to sign up. Reply {stop} to stop these texts.",
        "so": "Xusuusin: Kulanka ku saabsan {topic}, {date} saacadda {time}, {venue}. Waa bilaash oo "
              "ikhtiyaari ah, qof walba waa la soo dhoweynayaa. Ku jawaab HAA si aad isu diiwaangeliso. "
              "Ku jawaab {stop} si aad u joojiso fariimaha.",
        "ar": "تذكير: اجتماع مفتوح حول {topic} يوم {date} الساعة {time}، {venue}. الحضور مجاني وطوعي "
              "والجميع مرحب بهم. أرسل نعم للتسجيل. أرسل {stop} لإيقاف الرسائل.",
        "pl": "Przypomnienie: otwarte spotkanie na temat {topic}, {date}, godz. {time}, {venue}. "
              "Bezpłatne i dobrowolne. Odpowiedz TAK, aby się zapisać. Odpowiedz {stop}, aby zrezygnować.",
        "es": "Recordatorio: reunión abierta sobre {topic} el {date} a las {time}, {venue}. Gratuita y "
              "voluntaria. Responda SÍ para inscribirse. Responda {stop} para no recibir más SMS.",
    },
    "cancellation": {
        "nb": "Avlyst: Brukermøtet om {topic} {date} kl. {time} er avlyst. Vi beklager. "
              "Svar {stop} for å slutte å få SMS.",
        "en": "Cancelled: the open meeting about {topic} on {date} at {time} is cancelled. We are sorry. "
              "Reply {stop} to stop these texts.",
        "so": "Waa la joojiyay: Kulanka ku saabsan {topic}, {date} saacadda {time} waa la joojiyay. "
              "Waan ka xunnahay. Ku jawaab {stop} si aad u joojiso fariimaha.",
        "ar": "إلغاء: تم إلغاء الاجتماع المفتوح حول {topic} يوم {date} الساعة {time}. نعتذر. "
              "أرسل {stop} لإيقاف الرسائل.",
        "pl": "Odwołane: spotkanie na temat {topic}, {date}, godz. {time} zostało odwołane. Przepraszamy. "
              "Odpowiedz {stop}, aby zrezygnować.",
        "es": "Cancelada: la reunión sobre {topic} el {date} a las {time} se ha cancelado. Lo sentimos. "
              "Responda {stop} para no recibir más SMS.",
    },
    "reply_yes": {
        "nb": "Takk! Du er påmeldt brukermøtet {date} kl. {time}. Velkommen!",
        "en": "Thank you! You are signed up for the open meeting on {date} at {time}. Welcome!",
        "so": "Mahadsanid! Waad isku diiwaangelisay kulanka {date} saacadda {time}. Soo dhowow!",
        "ar": "شكراً! تم تسجيلك في لقاء يوم {date} الساعة {time}. أهلاً بك!",
        "pl": "Dziękujemy! Jesteś zapisany/a na spotkanie {date} o {time}. Zapraszamy!",
        "es": "¡Gracias! Está inscrito/a en la reunión del {date} a las {time}. ¡Bienvenido/a!",
    },
    "reply_stop": {
        "nb": "Du får ikke flere SMS fra oss.",
        "en": "You will get no more texts from us.",
        "so": "Fariimo kale nagama heli doontid.",
        "ar": "لن تصلك رسائل أخرى منا.",
        "pl": "Nie otrzymasz od nas więcej SMS-ów.",
        "es": "No recibirá más SMS de nuestra parte.",
    },
    "reply_other": {
        "nb": "Takk for meldingen. Arbeidsutvalget leser den. Svar {stop} for å slutte å få SMS.",
        "en": "Thank you for your message. The committee will read it. Reply {stop} to stop these texts.",
        "so": "Mahadsanid fariintaada. Guddiga ayaa akhrin doona. Ku jawaab {stop} si aad u joojiso fariimaha.",
        "ar": "شكراً على رسالتك. ستقرؤها اللجنة. أرسل {stop} لإيقاف الرسائل.",
        "pl": "Dziękujemy za wiadomość. Komitet ją przeczyta. Odpowiedz {stop}, aby zrezygnować.",
        "es": "Gracias por su mensaje. El comité lo leerá. Responda {stop} para no recibir más SMS.",
    },
    # No placeholders needed: it names no meeting, it asks for consent to texts about coming meetings.
    "opt_in": {
        "nb": "Brukermøte: Dette nummeret ble meldt på SMS fra oss på nettsiden. Svar JA for å få "
              "påminnelser og nyheter om møtene. Svarer du ikke, får du ingen flere SMS fra oss.",
        "en": "Open meeting: this number was signed up for our texts on the website. Reply YES to get "
              "reminders and news of the meetings. If you do not reply, you get no more texts from us.",
        "so": "Kulan furan: lambarkan waxaa looga diiwaangeliyay fariimahayaga bogga internetka. Ku jawaab "
              "HAA si aad u hesho xusuusin iyo war ku saabsan kulamada. Haddii aadan jawaabin, fariimo kale "
              "nagama heli doontid.",
        "ar": "اجتماع مفتوح: سُجّل هذا الرقم لتلقي رسائلنا عبر الموقع. أرسل نعم لتصلك التذكيرات وأخبار "
              "الاجتماعات. إذا لم ترد، فلن تصلك رسائل أخرى منا.",
        "pl": "Otwarte spotkanie: ten numer zapisano na naszej stronie na SMS-y od nas. Odpowiedz TAK, aby "
              "otrzymywać przypomnienia i wiadomości o spotkaniach. Bez odpowiedzi nie dostaniesz od nas "
              "więcej SMS-ów.",
        "es": "Reunión abierta: este número se inscribió en nuestra web para recibir SMS. Responda SÍ para "
              "recibir recordatorios y noticias de las reuniones. Si no responde, no recibirá más SMS.",
    },
    "opt_in_confirmed": {
        "nb": "Takk! Du får nå SMS om brukermøtene. Svar {stop} når som helst for å slutte.",
        "en": "Thank you! You will now get texts about the open meetings. Reply {stop} at any time to stop.",
        "so": "Mahadsanid! Hadda waxaad heli doontaa fariimo ku saabsan kulamada. Ku jawaab {stop} wakhti "
              "kasta si aad u joojiso.",
        "ar": "شكراً! ستصلك الآن رسائل عن الاجتماعات المفتوحة. أرسل {stop} في أي وقت للإيقاف.",
        "pl": "Dziękujemy! Teraz będziesz otrzymywać SMS-y o spotkaniach. Odpowiedz {stop} w dowolnej "
              "chwili, aby zrezygnować.",
        "es": "¡Gracias! Ahora recibirá SMS sobre las reuniones. Responda {stop} en cualquier momento para "
              "darse de baja.",
    },
}


def stop_word(language: str) -> str:
    """The first stop word of the language itself (universal STOP always works too)."""
    lang = languages.LANGUAGES.get(language) or languages.get(FALLBACK_LANGUAGE)
    return lang.stop_words[0] if lang.stop_words else "STOP"


def _fields(body: str) -> list[tuple[str, str, str | None]]:
    """(name, format spec, conversion) of every replacement field; ValueError when braces are broken."""
    return [(name, spec or "", conv) for _literal, name, spec, conv in string.Formatter().parse(body)
            if name is not None]


def _as_written(name: str, spec: str, conv: str | None) -> str:
    return "{" + name + ("!" + conv if conv else "") + (":" + spec if spec else "") + "}"


#: What the renderer replaces: a doubled brace, or exactly one of the documented placeholders.
_TOKEN = re.compile(r"\{\{|\}\}|\{(" + "|".join(PLACEHOLDERS) + r")\}")
#: A field ``parse`` reports without its empty spec or conversion (``{date:}``).
_EMPTY_SPEC = re.compile(r"\{[^{}]*:\}")


def placeholders_in(body: str) -> list[str]:
    """The placeholder names a text uses; ValueError when braces are broken."""
    return [name for name, _spec, _conv in _fields(body)]


def invalid_placeholders(body: str) -> list[str]:
    """Every field that is not exactly one of the documented placeholders, as written; ValueError when
    braces are broken."""
    bad = []
    for name, spec, conv in _fields(body):
        if name not in PLACEHOLDERS or spec or conv is not None:
            bad.append(_as_written(name, spec, conv))
    if not bad:
        bad = _EMPTY_SPEC.findall(body.replace("{{", "").replace("}}", ""))
    return list(dict.fromkeys(bad))


def problems(kind: str, body: str) -> list[str]:
    """Why a text cannot be used (English keys; the view translates them)."""
    found = []
    try:
        names = placeholders_in(body)
        invalid = invalid_placeholders(body)
    except ValueError:
        return ["broken"]
    if invalid:
        found.append("unknown:" + ", ".join(invalid))
    missing = [n for n in REQUIRED.get(kind, ()) if n not in names]
    if missing:
        found.append("missing:" + ", ".join("{" + n + "}" for n in missing))
    if not body.strip():
        found.append("empty")
    return found


def fill(body: str, values: dict) -> str:
    """The text with the documented placeholders replaced and ``{{``/``}}`` made single braces.

    Anything else stays as written: this never formats the committee's text, so it cannot raise
    or reach into the values' attributes, whatever is stored.
    """
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        return str(values.get(name, ""))

    return _TOKEN.sub(replace, body)


# -- SMS arithmetic: GSM 03.38 or UCS-2, segments ----------------------------------------------------

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: Characters of the GSM extension table: each costs two septets (escape + character).
GSM7_EXTENSION = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Analysis:
    characters: int
    encoding: str  # "GSM-7" | "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int

    def cost(self, price_per_segment: Decimal) -> Decimal:
        return (price_per_segment * self.segments).quantize(Decimal("0.01"))


def analyse(text: str) -> Analysis:
    """Characters, encoding and segments: GSM-7 160 alone / 153 per part, UCS-2 70 / 67."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        widths = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        widths = [len(ch.encode("utf-16-le")) // 2 for ch in text]
        single, multi, encoding = 70, 67, "UCS-2"
    units = sum(widths)
    if units <= single:
        segments, per = (1 if units else 0), single
    else:
        segments, per = _packed_parts(widths, multi), multi
    return Analysis(characters=len(text), encoding=encoding, units=units, segments=segments, per_segment=per)


def _packed_parts(widths: list[int], per_part: int) -> int:
    """How many parts the characters fill when a two-unit character (a GSM escape pair, a UTF-16
    surrogate pair) is never split between parts: phones and carriers move it whole to the next part,
    so counting units / per_part would come out one part short."""
    parts, used = 1, 0
    for width in widths:
        if used + width > per_part:
            parts, used = parts + 1, 0
        used += width
    return parts
