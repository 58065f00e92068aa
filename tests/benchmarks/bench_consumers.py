"""Our PDFs against a plain ReportLab document, as PDF consumers and production see them.

Every figure is a ratio against a baseline made in the same run, so a slow or busy machine moves
both sides alike:

- the baseline is a *plain ReportLab document*: ``canvas.drawString`` with ReportLab's own
  ``TTFont`` (the vendored Noto fonts registered under our own names), one letter-like page per
  language in turn — a headline, the date, sample sentences of all 13 languages next to
  Norwegian — about as much text as a letter, no shaping, no bidi, no marks;
- ours are the meeting's invitation letters, made as the tests make them (``make_meeting``,
  contacts spread over the 13 languages), 24 letters, and the 500-contact mail merge
  (letters + envelopes + labels);
- consumers (Ghostscript to PostScript and to a 300 dpi raster, poppler's pdftoppm and
  pdftotext, MuPDF) time per page, median of 3 runs, ours / plain; file size per page;
- the mail merge's production time per page against the plain 500-page document's, the merge's
  peak memory (ru_maxrss of a child process that only makes the merge) and the memory it still
  holds after ``gc.collect()``;
- one poster in a running app (after a warm-up) against one plain page.

Diagnostics (rows marked "info"): a consumer that misses its target is run once more on our PDF
with its images (the mark row) taken out; the letters and the posters are also timed as drafts,
which skip the checks of the drawn pages. Should preflight refuse a final print, the draft is
measured instead and a note says so.

Run by ``make bench`` (``python -m tests.benchmarks``); on its own: ``python -m tests.benchmarks.bench_consumers``.
Children run as ``python -m tests.benchmarks.bench_consumers <part> <dir>`` and print JSON.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import io
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HUEY_BACKEND", "memory")
os.environ.setdefault("BRUKERMOTE_INSTANCE_PATH", tempfile.mkdtemp(prefix="brukermote-bench-"))

ROOT = Path(__file__).resolve().parents[2]
FONT_DIR = ROOT / "printables" / "fonts"
PAGES = 24
MERGE = 500
RUNS = 3
DAY = dt.date(2031, 3, 12)  # tests.printing.helpers.FIXED_DAY: the letters' meeting day
#: Characters per column and in the reply slip; a letter page has about 2,500 (pdftotext).
COLUMN_CHARS, SLIP_CHARS = 720, 330

CONSUMERS: list[tuple[str, str, list[str]]] = [
    # name, executable, argv with {pdf} and {out}
    ("gs ps2write", "gs", ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=ps2write", "-sOutputFile=/dev/null", "{pdf}"]),
    ("gs pgmraw 300 dpi", "gs",
     ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pgmraw", "-r300", "-sOutputFile=/dev/null", "{pdf}"]),
    ("pdftoppm 150 dpi png", "pdftoppm", ["pdftoppm", "-r", "150", "-png", "{pdf}", "{out}/page"]),
    ("pdftotext", "pdftotext", ["pdftotext", "{pdf}", "-"]),
    ("mutool draw 150 dpi", "mutool", ["mutool", "draw", "-o", "/dev/null", "-r", "150", "{pdf}"]),
]


# -- the plain ReportLab document ---------------------------------------------------------------

def _samples() -> dict[str, tuple[str, str]]:
    """(headline, sentence) per language, from the text engine's tests and benchmark."""
    from tests.benchmarks.bench_text import PHRASES
    from tests.printing.test_text import HEADLINES

    return {code: (HEADLINES[code], PHRASES[code]) for code in HEADLINES}


def _register_fonts() -> dict[str, tuple[str, str]]:
    """Each language's first font family as ReportLab TTFonts: code -> (regular, bold) names."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from brukermote.core import languages

    names = {}
    for lang in languages.all_languages():
        family = lang.fonts[0]
        pair = []
        for style in ("Regular", "Bold"):
            name = f"PlainBench-{family}-{style}"
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{family}-{style}.ttf")))
            pair.append(name)
        names[lang.code] = (pair[0], pair[1])
    return names


def _wrap(text: str, font: str, size: float, width: float, cjk: bool) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    units = list(text) if cjk else text.split()
    joiner = "" if cjk else " "
    lines, line = [], ""
    for unit in units:
        candidate = f"{line}{joiner}{unit}" if line else unit
        if line and stringWidth(candidate, font, size) > width:
            lines.append(line)
            line = unit
        else:
            line = candidate
    return lines + ([line] if line else [])


def _column(c, code: str, fonts, samples, x: float, y: float, width: float, chars: int) -> float:
    from babel.dates import format_date

    from brukermote.core import languages

    regular, bold = fonts[code]
    headline, sentence = samples[code]
    cjk = code == "zh-Hans"
    c.setFont(bold, 15)
    c.drawString(x, y, headline)
    y -= 22
    c.setFont(regular, 11)
    c.drawString(x, y, format_date(DAY, "full", locale=languages.get(code).babel_locale))
    y -= 20
    written = len(headline) + 30
    # the language's own sentence; in Latin script with a place and a phone number, as letters have
    body = f"{sentence} {headline}."
    if languages.get(code).fonts[0] == "NotoSans":
        body += " Årvoll Gård, Årvollveien 36, 0590 Oslo · 23 00 00 00."
    lines = _wrap(body, regular, 9.5, width, cjk)
    c.setFont(regular, 9.5)
    while written < chars and y > 300:
        for line in lines:
            c.drawString(x, y, line)
            y -= 12
            written += len(line)
        y -= 5
    return y


def plain_page(c, code: str, fonts, samples, index: int) -> None:
    """One letter-like page: return address and address, the letter in the contact's language
    next to Norwegian (Norwegian alone for nb), a reply slip."""
    from reportlab.lib.pagesizes import A4

    w, h = A4
    c.setFillGray(0.45)
    c.setFont(fonts["nb"][0], 7)
    c.drawString(57, h - 125, "NAV Bjerke, Postboks 1 Økern, 0508 Oslo")
    c.setFillGray(0)
    c.setFont(fonts["nb"][0], 11)
    for i, line in enumerate((f"Deltaker {index:03d}", f"Veitvetveien {index + 1}", "0596 Oslo")):
        c.drawString(57, h - 145 - 15 * i, line)
    top = h - 260
    if code == "nb":
        _column(c, "nb", fonts, samples, 51, top, w - 102, 2 * COLUMN_CHARS)
    else:
        half = (w - 102 - 23) / 2
        _column(c, code, fonts, samples, 51, top, half, COLUMN_CHARS)
        _column(c, "nb", fonts, samples, 51 + half + 23, top, half, COLUMN_CHARS)
    y, written = 250.0, 0
    c.setDash(3, 3)
    c.line(40, y + 20, w - 40, y + 20)
    c.setDash()
    c.setFont(fonts["nb"][1], 11)
    c.drawString(51, y, "Svarslipp – " + samples["nb"][0])
    while written < SLIP_CHARS:
        y -= 15
        c.setFont(fonts["nb"][0], 10)
        line = "Ja, jeg vil gjerne komme · Antall voksne: ______ · Antall barn: ______"
        c.drawString(51, y, line)
        written += len(line)
    c.showPage()


def plain_document(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    from brukermote.core import languages

    fonts, samples = _register_fonts(), _samples()
    codes = [lang.code for lang in languages.all_languages()]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, initialFontName=fonts["nb"][0])
    for index in range(pages):
        plain_page(c, codes[index % len(codes)], fonts, samples, index)
    c.save()
    return buf.getvalue()


def plain_single(code: str) -> bytes:
    from reportlab.pdfgen import canvas

    fonts, samples = _register_fonts(), _samples()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, initialFontName=fonts["nb"][0])
    plain_page(c, code, fonts, samples, 0)
    c.save()
    return buf.getvalue()


# -- children -----------------------------------------------------------------------------------

def _pages(pdf: bytes) -> int:
    import pypdf  # our page dictionaries sit in compressed object streams: a regex would miss them

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _render(meeting, notes: list[str], **fields) -> bytes:
    """A final print as the app makes it; should preflight refuse it, a draft (noted: a draft skips
    the checks of the drawn pages, so it is faster than a final print)."""
    from brukermote.auth.capabilities import SystemActor
    from brukermote.printing import services

    request = services.PrintRequest(**fields)
    try:
        return services.render(meeting, request, actor=SystemActor("benchmark"))[0]
    except services.PreflightFailed as exc:
        errors = [line for line in str(exc).splitlines() if line.startswith("ERROR")]
        note = (f"preflight refused the final {request.document} ({request.language if request.document == 'poster' else 'mixed'}),"
                f" measured as a DRAFT instead: {len(errors)} error(s), first: {errors[0][:200] if errors else exc}")
        if note not in notes:
            notes.append(note)
        request.draft = True
        return services.render(meeting, request, actor=SystemActor("benchmark"))[0]


def child_documents(out: Path) -> dict:
    """The two 24-page PDFs, and the poster against one plain page in a running app."""
    from tests.benchmarks.__main__ import _app
    from tests.printing.helpers import make_contacts, make_meeting

    plain = plain_document(PAGES)
    (out / "plain.pdf").write_bytes(plain)
    result, notes = {}, []
    with _app().app_context():
        meeting = make_meeting()
        contacts = make_contacts(PAGES)
        letters = _render(meeting, notes, document="letters", contact_ids=[c.id for c in contacts])
        (out / "ours.pdf").write_bytes(letters)
        for code in ("ar", "nb"):
            _render(meeting, notes, document="poster", language=code)  # warm-up
            plain_single(code)
            ours_runs, plain_runs = [], []
            for _ in range(7):
                start = time.perf_counter()
                _render(meeting, notes, document="poster", language=code)
                ours_runs.append(time.perf_counter() - start)
                start = time.perf_counter()
                plain_single(code)
                plain_runs.append(time.perf_counter() - start)
            result[f"poster_{code}_s"] = statistics.median(ours_runs)
            result[f"plain_page_{code}_s"] = statistics.median(plain_runs)
            drafts = []  # a diagnostic: the drawing alone, without the checks of the drawn page
            for _ in range(5):
                start = time.perf_counter()
                _render(meeting, notes, document="poster", language=code, draft=True)
                drafts.append(time.perf_counter() - start)
            result[f"poster_{code}_draft_s"] = statistics.median(drafts)
    result["ours_pages"], result["plain_pages"] = _pages(letters), _pages(plain)
    result["notes"] = notes
    return result


def child_merge(_out: Path) -> dict:
    """Only the 500-contact mail merge; memory figures are this process's own."""
    from tests.benchmarks.__main__ import _app
    from tests.printing.helpers import make_contacts, make_meeting

    notes: list[str] = []
    with _app().app_context():
        meeting = make_meeting()
        ids = [c.id for c in make_contacts(MERGE)]
        gc.collect()
        rss_start, maxrss_start = _rss_mb(), _maxrss_mb()
        start = time.perf_counter()
        letters = _render(meeting, notes, document="letters", contact_ids=ids)
        t_letters = time.perf_counter() - start
        envelopes = _render(meeting, notes, document="envelopes", contact_ids=ids)
        labels = _render(meeting, notes, document="labels", contact_ids=ids)
        seconds = time.perf_counter() - start
        peak = _maxrss_mb()
        pages = {"letters": _pages(letters), "envelopes": _pages(envelopes), "labels": _pages(labels)}
        size = len(letters) + len(envelopes) + len(labels)
        del letters, envelopes, labels
        gc.collect()
        rss_after = _rss_mb()
        try:  # what glibc keeps in its free lists is not held by us: show both
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            rss_trimmed = _rss_mb()
        except OSError:
            rss_trimmed = None
        # a diagnostic, after the memory figures: the letters as a draft (no checks of the drawn pages)
        start = time.perf_counter()
        _render(meeting, notes, document="letters", contact_ids=ids, draft=True)
        t_draft = time.perf_counter() - start
    return {"merge_s": seconds, "merge_letters_s": t_letters, "merge_pages": pages, "merge_bytes": size,
            "merge_rss_start_mb": rss_start, "merge_maxrss_start_mb": maxrss_start, "merge_peak_mb": peak,
            "merge_rss_after_mb": rss_after, "merge_rss_trimmed_mb": rss_trimmed,
            "merge_letters_draft_s": t_draft, "notes": notes}


def child_plain(_out: Path) -> dict:
    """The plain 500-page document, median of 3; the first run registers the fonts (our merge
    starts cold too), so the median is of two warm runs and that cold one."""
    from brukermote.core import languages  # noqa: F401  (imported before timing, as the app is)

    runs = []
    for _ in range(RUNS):
        start = time.perf_counter()
        pdf = plain_document(MERGE)
        runs.append(time.perf_counter() - start)
    return {"plain_s": statistics.median(runs), "plain_500_pages": _pages(pdf), "plain_500_bytes": len(pdf),
            "plain_peak_mb": _maxrss_mb()}


CHILDREN = {"documents": child_documents, "merge": child_merge, "plain": child_plain}


def _child(part: str, out: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_consumers", part, str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode:
        raise RuntimeError(f"{part} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- consumers ----------------------------------------------------------------------------------

#: A consumer run on our PDF slower than this is not repeated (the whole ``make bench`` must stay
#: within about five minutes); the table says so.
ONE_RUN_S = 15.0


def _run_consumer(argv: list[str], pdf: Path, tmp: Path) -> tuple[float, int, set[str]]:
    out = tmp / "out"
    out.mkdir(exist_ok=True)
    args = [a.format(pdf=pdf, out=out) for a in argv]
    start = time.perf_counter()
    proc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    shutil.rmtree(out)
    lines = proc.stderr.decode("utf-8", "replace").replace(str(pdf), "{pdf}").splitlines()
    # mutool draw names every page it draws on stderr: progress, not a complaint
    return seconds, proc.returncode, {line.strip() for line in lines
                                      if line.strip() and not re.fullmatch(r"page \{pdf\} \d+", line.strip())}


def consumers(docs: dict[str, Path], tmp: Path) -> tuple[dict, list[str]]:
    """Median seconds per consumer and document, runs interleaved so a busy moment hits all."""
    timings, notes = {}, []
    for name, exe, argv in CONSUMERS:
        if shutil.which(exe) is None:
            notes.append(f"{exe} not installed: skipping «{name}»")
            continue
        runs: dict[str, list[float]] = {label: [] for label in docs}
        stderr: dict[str, set[str]] = {label: set() for label in docs}
        for attempt in range(RUNS):
            for label, path in docs.items():
                seconds, rc, err = _run_consumer(argv, path, tmp)
                runs[label].append(seconds)
                stderr[label] |= err
                if rc:
                    notes.append(f"{name} on {label}: exit status {rc}")
            if attempt == 0 and max(runs[label][0] for label in docs) > ONE_RUN_S:
                notes.append(f"{name}: one run only (a run took {max(r[0] for r in runs.values()):.0f} s)")
                break
        for label in docs:
            if label != "plain":
                for line in sorted(stderr[label] - stderr.get("plain", set()))[:3]:
                    notes.append(f"{name} on {label} says: {line[:200]}")
        timings[name] = {k: statistics.median(v) for k, v in runs.items()}
    return timings, notes


def text_only(src: Path, dst: Path) -> int:
    """A copy of ``src`` without its images (the mark row): their ``Do`` removed from the pages'
    content and the images from the pages' resources. A diagnostic: how much of a consumer's
    time is the text's. Returns the number of images dropped."""
    import pypdf
    from pypdf.generic import NameObject

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(src))
    dropped = set()
    for page in writer.pages:
        xobjects = page["/Resources"].get("/XObject")
        if not xobjects:
            continue
        xobjects = xobjects.get_object()
        images = [name for name, ref in xobjects.items() if ref.get_object().get("/Subtype") == "/Image"]
        if not images:
            continue
        contents = page.get_contents()
        data = contents.get_data()
        for name in images:
            data = re.sub(re.escape(name.encode()) + rb"\s+Do\b", b"", data)
            dropped.add(id(xobjects[name].get_object()))
            del xobjects[NameObject(name)]
        contents.set_data(data)
        page.replace_contents(contents)
    writer.write(dst)
    return len(dropped)


def _text_chars(path: Path) -> int | None:
    if shutil.which("pdftotext") is None:
        return None
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=False).stdout
    return len(out.decode("utf-8", "replace"))


# -- the table ----------------------------------------------------------------------------------

def main() -> None:
    started = time.perf_counter()
    rows: list[tuple[str, str, str, str]] = []  # figure, value, target, result

    def row(figure: str, value: float | None, target: float | None, shown: str, unit: str = "×") -> None:
        if target is None:
            rows.append((figure, shown, "–", "info"))
        else:
            rows.append((figure, shown, f"≤ {target:g}{unit}", "PASS" if value <= target else "FAIL"))

    with tempfile.TemporaryDirectory(prefix="bench-consumers-") as tmpname:
        tmp = Path(tmpname)
        docs = _child("documents", tmp)
        ours, plain = tmp / "ours.pdf", tmp / "plain.pdf"
        timings, notes = consumers({"ours": ours, "plain": plain}, tmp)
        # where a consumer misses its target: the same consumer on our PDF without its images, once
        slow = [c for c in CONSUMERS if c[0] in timings
                and timings[c[0]]["ours"] / docs["ours_pages"] > 2 * timings[c[0]]["plain"] / docs["plain_pages"]]
        diagnostic = {}
        if slow:
            bare = tmp / "ours-text-only.pdf"
            images = text_only(ours, bare)
            for name, _exe, argv in slow:
                diagnostic[name] = _run_consumer(argv, bare, tmp)[0]
        merge = _child("merge", tmp)
        plain500 = _child("plain", tmp)
        notes = docs["notes"] + merge["notes"] + notes
        n_ours, n_plain = docs["ours_pages"], docs["plain_pages"]
        size_ours, size_plain = ours.stat().st_size, plain.stat().st_size
        chars_ours, chars_plain = _text_chars(ours), _text_chars(plain)

    if n_ours != PAGES or n_plain != PAGES:  # a letter may run onto a second page: figures are per page
        notes.append(f"{PAGES} letters take {n_ours} pages, the plain document {n_plain}; every figure is per page")
    if chars_ours is not None:
        row("text density, pdftotext chars/page (ours / plain)", None, None,
            f"{chars_ours / n_ours:.0f} / {chars_plain / n_plain:.0f}")
    for name, t in timings.items():
        ratio = (t["ours"] / n_ours) / (t["plain"] / n_plain)
        row(f"{name}, s/page ours/plain", ratio, 2,
            f"{ratio:.2f}× ({t['ours'] / n_ours * 1000:.1f} / {t['plain'] / n_plain * 1000:.1f} ms)")
        if name in diagnostic:
            bare = (diagnostic[name] / n_ours) / (t["plain"] / n_plain)
            row(f"  the same, ours without its {images} images (1 run)", None, None,
                f"{bare:.2f}× ({diagnostic[name] / n_ours * 1000:.1f} ms)")
    ratio = (size_ours / n_ours) / (size_plain / n_plain)
    row("file size/page ours/plain (24 pages)", ratio, 2,
        f"{ratio:.2f}× ({size_ours / n_ours / 1024:.1f} / {size_plain / n_plain / 1024:.1f} KB)")

    pages = merge["merge_pages"]
    merge_pages = sum(pages.values())
    per_ours = merge["merge_s"] / merge_pages
    per_plain = plain500["plain_s"] / plain500["plain_500_pages"]
    ratio = per_ours / per_plain
    row(f"mail merge {MERGE} (letters+envelopes+labels = {merge_pages} pages), s/page vs plain", ratio, 1.5,
        f"{ratio:.2f}× ({per_ours * 1000:.1f} / {per_plain * 1000:.1f} ms; {merge['merge_s']:.1f} s"
        f" / {plain500['plain_s']:.1f} s)")
    letters_ratio = (merge["merge_letters_s"] / pages["letters"]) / per_plain
    row("  letters alone, s/page vs plain", None, None,
        f"{letters_ratio:.2f}× ({merge['merge_letters_s'] / pages['letters'] * 1000:.1f} ms/page)")
    row("  letters as a draft (no checks of the drawn pages), s/page vs plain", None, None,
        f"{merge['merge_letters_draft_s'] / pages['letters'] / per_plain:.2f}×"
        f" ({merge['merge_letters_draft_s'] / pages['letters'] * 1000:.1f} ms/page)")
    row("  merge output size, MB (ours all three / plain 500)", None, None,
        f"{merge['merge_bytes'] / 1e6:.1f} / {plain500['plain_500_bytes'] / 1e6:.1f}")
    row("mail merge peak memory (ru_maxrss of the merge's own process)", merge["merge_peak_mb"], 150,
        f"{merge['merge_peak_mb']:.0f} MB", " MB")
    row("  of which the merge (peak − RSS before it)", None, None,
        f"{merge['merge_peak_mb'] - merge['merge_rss_start_mb']:.0f} MB (app, DB, contacts:"
        f" {merge['merge_rss_start_mb']:.0f} MB); plain 500 pages: {plain500['plain_peak_mb']:.0f} MB peak")
    held = merge["merge_rss_after_mb"] - merge["merge_rss_start_mb"]
    row("memory held after the merge and gc.collect() (RSS − start)", held, 30, f"{held:+.0f} MB", " MB")
    if merge["merge_rss_trimmed_mb"] is not None:
        row("  after malloc_trim(0) as well", None, None,
            f"{merge['merge_rss_trimmed_mb'] - merge['merge_rss_start_mb']:+.0f} MB")
    for code in ("ar", "nb"):
        ours_s, plain_s = docs[f"poster_{code}_s"], docs[f"plain_page_{code}_s"]
        ratio = ours_s / plain_s
        row(f"poster «{code}» (warm app) vs one plain page", ratio, 8,
            f"{ratio:.1f}× ({ours_s * 1000:.0f} / {plain_s * 1000:.0f} ms)")
        draft = docs[f"poster_{code}_draft_s"]
        row(f"  poster «{code}» as a draft (no checks of the drawn page)", None, None,
            f"{draft / plain_s:.1f}× ({draft * 1000:.0f} ms)")

    print(f"\nPDF consumers and production, ours vs a plain ReportLab document ({PAGES} pages; "
          f"median of {RUNS} runs):")
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"  {'figure':{width}}  {'value':{vwidth}}  {'target':8}  result")
    for figure, value, target, result in rows:
        print(f"  {figure:{width}}  {value:{vwidth}}  {target:8}  {result}")
    for note in notes:
        print(f"  note: {note}")
    print(f"  ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    if len(sys.argv) > 2:
        print(json.dumps(CHILDREN[sys.argv[1]](Path(sys.argv[2]))))
    else:
        main()
