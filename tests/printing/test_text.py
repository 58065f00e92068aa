"""The multilingual print text engine: shaping, bidi, fallback fonts, line breaking, extraction."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import unicodedata

import pypdf
import pytest
from babel.dates import format_date
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfgen import canvas

from brukermote.core import languages
from brukermote.printing import fonts, pdftext, text

DAY = dt.date(2025, 12, 3)
ALL = [lang.code for lang in languages.all_languages()]
HEADLINES = {
    "nb": "Brukermøte på biblioteket", "en": "User meeting", "so": "Kulan isticmaalayaasha",
    "ar": "اجتماع المستخدمين", "ta": "பயனர் கூட்டம்", "ti": "ኣኼባ ተጠቀምቲ", "fa": "نشست کاربران",
    "ur": "صارفین کا اجلاس", "ckb": "کۆبوونەوەی بەکارهێنەران", "kmr": "Civîna bikarhêneran",
    "zh-Hans": "图书馆用户见面会", "es": "Reunión de usuarios", "pl": "Spotkanie użytkowników",
}
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def render(items, lang) -> bytes:
    buf = io.BytesIO()
    # ReportLab's page preamble selects the canvas's initial font; make it a vendored one so no
    # unembedded Helvetica appears in the PDF
    c = canvas.Canvas(buf, initialFontName=fonts.initial_font_name())
    y = 800.0
    for s, size in items:
        y -= pdftext.draw(c, text.layout(s, lang, size, 480.0), 50, y) + 6
    c.save()
    return buf.getvalue()


def pdftotext(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pypdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def found(needle: str, haystack: str, rtl: bool) -> bool:
    """Right-to-left: extractors recover the letters and digits in logical order, but poppler's own
    bidi pass moves spaces and neutral punctuation next to numbers (see text.py), so compare those
    without spaces and punctuation."""
    n = text.normalise_extracted
    if not rtl:
        return n(needle) in n(haystack)

    def squash(s: str) -> str:
        return "".join(ch for ch in n(s, spaces=False) if not unicodedata.category(ch).startswith("P"))

    return squash(needle) in squash(haystack)


# -- registry -------------------------------------------------------------------------------


def test_registry_has_the_thirteen_languages_and_babel_knows_them():
    from babel import Locale

    assert len(ALL) == 13
    for lang in languages.all_languages():
        Locale.parse(lang.babel_locale)
        assert lang.direction in ("ltr", "rtl")
        assert lang.yes_words and lang.stop_words
        for family in lang.fonts:
            assert family in fonts.FAMILIES
    assert {code for code in ALL if languages.get(code).rtl} == {"ar", "fa", "ur", "ckb"}
    assert languages.babel_locale("nb") == "nb_NO"
    assert languages.get("ar").is_yes(" نعم ") and languages.get("nb").is_stop("stopp")


# -- extraction -----------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("lang", ALL)
def test_rendered_pdf_yields_weekday_and_date(lang, tmp_path):
    rtl = languages.get(lang).rtl
    date = format_date(DAY, "EEEE d. MMMM y", locale=languages.babel_locale(lang))
    full = format_date(DAY, "full", locale=languages.babel_locale(lang))
    pdf = render([(HEADLINES[lang], 28), (date, 16), (full, 12)], lang)
    for extracted in (pdftotext(pdf, tmp_path), pypdf_text(pdf)):
        assert found(HEADLINES[lang], extracted, rtl), extracted
        assert found(date, extracted, rtl), extracted
        assert found(full, extracted, rtl), extracted


@needs_poppler
def test_ltr_extraction_keeps_spaces_exactly(tmp_path):
    for lang in ("nb", "ta", "ti", "zh-Hans", "pl"):
        date = format_date(DAY, "EEEE d. MMMM y", locale=languages.babel_locale(lang))
        out = pdftotext(render([(date, 14)], lang), tmp_path)
        assert text.normalise_extracted(date) in text.normalise_extracted(out)


@needs_poppler
def test_text_is_not_doubled(tmp_path):
    out = text.normalise_extracted(pdftotext(render([("الساعة 17:30", 14), ("கூட்டம்", 14)], "ar"), tmp_path), spaces=False)
    assert out.count("17:30") == 1 and out.count("الساعة") == 1


@needs_poppler
def test_fonts_are_embedded_as_subsets(tmp_path):
    pdf = render([("Storgata 5 الساعة 17:30", 14)], "ar")
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows
    for row in rows:
        assert re.match(r"[A-Z]{6}\+", row), row
        assert " yes yes " in row  # emb yes, sub yes
    names = {str(f["/BaseFont"]) for f in _pdf_fonts(pdf)}
    assert any("NotoNaskhArabic" in n for n in names) and any("NotoSans-" in n for n in names)
    assert all(re.match(r"/[A-Z]{6}\+", n) for n in names)


def _pdf_fonts(pdf: bytes):
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    return [f.get_object() for f in page["/Resources"]["/Font"].values()]


# -- bidi, fonts, shaping -------------------------------------------------------------------


def _pieces(block):
    return [p for line in block.lines for p in line.pieces]


def test_arabic_time_reads_left_to_right_and_left_of_the_word():
    block = text.layout("الساعة 17:30", "ar", 12)
    pieces = _pieces(block)
    time_piece = next(p for p in pieces if p.text == "17:30")
    word = next(p for p in pieces if "الساعة" in p.text)
    assert not time_piece.rtl and word.rtl
    assert time_piece.x < word.x  # RTL paragraph: later logical text is further left
    # inside the time, clusters advance with x: 1, 7, :, 3, 0 from left to right
    assert [g[4] for g in time_piece.glyphs] == [0, 1, 2, 3, 4]
    # the Arabic word's glyphs are in visual order: clusters decrease left to right
    clusters = [g[4] for g in word.glyphs]
    assert clusters == sorted(clusters, reverse=True)


def test_latin_address_inside_arabic_uses_a_latin_font_in_order():
    block = text.layout("العنوان: Storgata 5, Oslo", "ar", 12)
    pieces = _pieces(block)
    latin = [p for p in pieces if "Storgata" in p.text]
    assert latin and latin[0].face.family == "NotoSans"
    arabic = next(p for p in pieces if "العنوان" in p.text)
    assert arabic.face.family == "NotoNaskhArabic"
    assert latin[0].x < arabic.x


def test_phone_number_in_rtl_stays_in_order():
    block = text.layout("الهاتف +47 22 33 44 55", "ar", 12)
    phone = next(p for p in _pieces(block) if "22" in p.text)
    # no-break spaces hold the number together; it reads back with plain spaces (see test_real_text)
    assert phone.text.strip("\u202a\u202c ") == "+47\u00a022\u00a033\u00a044\u00a055" and not phone.rtl


def test_chinese_date_has_no_dlig_ligature():
    block = text.layout("12月3日", "zh-Hans", 12)
    pieces = _pieces(block)
    assert sum(len(p.glyphs) for p in pieces) == len("12月3日")
    assert all(p.face.family == "NotoSansSC" for p in pieces)


def test_ethiopic_digits_fall_back_to_noto_sans():
    block = text.layout("ሰዓት 17:30", "ti", 12)
    families = {p.text.strip(): p.face.family for p in _pieces(block)}
    assert families["ሰዓት"] == "NotoSansEthiopic"
    digit_piece = next(p for p in _pieces(block) if "17" in p.text)
    assert digit_piece.face.family == "NotoSans"
    assert not fonts.face("NotoSansEthiopic").covers("1")


def test_naskh_has_no_latin_so_latin_falls_back():
    assert not fonts.face("NotoNaskhArabic").covers("S")
    assert fonts.first_covering(fonts.chain(("NotoNaskhArabic",)), "S").family == "NotoSans"


def test_nastaliq_for_urdu_and_persian_zwnj_kept():
    pieces = _pieces(text.layout("صارفین کا اجلاس", "ur", 14))
    assert {p.face.family for p in pieces} == {"NotoNastaliqUrdu"}
    assert any(g[3] != 0 for p in pieces for g in p.glyphs)  # Nastaliq uses vertical offsets
    line = text.layout("می\u200cکنند", "fa", 14).lines[0]
    assert "\u200c" in line.text


def test_tamil_conjuncts_are_shaped():
    # க்ஷ / கொ: HarfBuzz reorders and substitutes, so glyph ids differ from the nominal ones
    block = text.layout("கொண்டு", "ta", 14)
    face = fonts.face("NotoSansTamil")
    nominal = [face.hb_font.get_nominal_glyph(ord(ch)) for ch in "கொண்டு"]
    shaped = [g[0] for p in _pieces(block) for g in p.glyphs]
    assert shaped != nominal


def test_nfc_normalisation():
    decomposed = unicodedata.normalize("NFD", "Brukermøte på Årstad")
    assert text.layout(decomposed, "nb", 12).lines[0].text == "Brukermøte på Årstad"


# -- line breaking and alignment --------------------------------------------------------------


@pytest.mark.parametrize("lang", ALL)
def test_lines_never_exceed_max_width(lang):
    para = " ".join([HEADLINES[lang]] * 6)
    for width in (60, 150, 333):
        block = text.layout(para, lang, 13, width)
        assert len(block.lines) >= 2
        for line in block.lines:
            assert line.width <= width + 1e-6


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab cdأبت 12月日ሰዓ\u200c.,-")), max_size=60), st.integers(20, 300))
def test_breaking_random_text_never_overflows(s, width):
    for lang in ("ar", "zh-Hans", "ti"):
        block = text.layout(s, lang, 11, width)
        assert all(line.width <= width + 1e-6 for line in block.lines)


def test_long_word_is_broken_only_when_wider_than_line():
    block = text.layout("Brukermøtebibliotekstjenesteutviklingsprosjekt ok", "nb", 12, 80)
    assert block.forced_breaks and all(line.width <= 80 for line in block.lines)
    block = text.layout("kort ord her og der", "nb", 12, 80)
    assert not block.forced_breaks
    assert all(not line.text.startswith(" ") and not line.text.endswith(" ") for line in block.lines)


def test_chinese_breaks_between_ideographs_not_before_closing_punctuation():
    s = "我们邀请所有使用我们服务的人参加公开会议。请告诉我们哪些做得好，哪些需要改进。"
    block = text.layout(s, "zh-Hans", 12, 100)
    assert len(block.lines) >= 3
    assert "".join(line.text for line in block.lines) == s
    assert not any(line.text[0] in "。，" for line in block.lines)


def test_rtl_start_alignment_is_right_aligned_and_ltr_left():
    ar = text.layout("مرحبا", "ar", 12, 300)
    assert text.line_offset(ar, ar.lines[0]) == pytest.approx(300 - ar.lines[0].width)
    nb = text.layout("Hei", "nb", 12, 300)
    assert text.line_offset(nb, nb.lines[0]) == 0
    ar_end = text.layout("مرحبا", "ar", 12, 300, align="end")
    assert text.line_offset(ar_end, ar_end.lines[0]) == 0
    centre = text.layout("Hei", "nb", 12, 300, align="center")
    assert text.line_offset(centre, centre.lines[0]) == pytest.approx((300 - centre.lines[0].width) / 2)


def test_paragraphs_and_height():
    one = text.layout("Hei", "nb", 12, 300)
    two = text.layout("Hei\nHallo", "nb", 12, 300)
    assert len(two.lines) == 2 and two.height > one.height
    urdu = text.layout("صارفین\nاجلاس", "ur", 12, 300)
    assert urdu.lines[1].baseline - urdu.lines[0].baseline > two.lines[1].baseline - two.lines[0].baseline


def test_fit_finds_the_largest_size_that_fits():
    size = text.fit("Brukermøte på biblioteket", "nb", 300, 80, 72, 8, bold=True)
    block = text.layout("Brukermøte på biblioteket", "nb", size, 300, True)
    assert block.height <= 80 and not block.forced_breaks
    bigger = text.layout("Brukermøte på biblioteket", "nb", size + 0.5, 300, True)
    assert size == 72 or bigger.height > 80 or bigger.forced_breaks
    assert text.fit("x" * 500, "nb", 50, 10, 40, 6) == 6


def test_draw_returns_height_and_draws_real_text_without_forms():
    buf = io.BytesIO()
    c = canvas.Canvas(buf, initialFontName=fonts.initial_font_name())
    block = text.layout("الساعة 17:30 الساعة", "ar", 12, 300)
    assert pdftext.draw(c, block, 10, 800) == block.height
    pdftext.draw(c, block, 10, 700)
    c.save()
    pdf = buf.getvalue()
    assert b"/Subtype /Form" not in pdf and b" Do" not in pdf
    assert pdf.count(b"/Subtype /TrueType") == 1  # Naskh has the Arabic letters and the digits
