"""Benchmark of the print text engine (not a pytest test): ``python tests/benchmarks/bench_text.py``.

Prints, per language, the median time to lay out and draw a 15-block poster page (cold caches
for the first page, then warm: phrases repeat across pages/letters), and 500 letters of 25 blocks.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from babel.dates import format_date  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from brukermote.core import languages  # noqa: E402
from brukermote.printing import text  # noqa: E402

PHRASES = {
    "nb": "Vi inviterer alle som bruker tjenestene våre til et åpent møte. Det blir tolk, mat og drikke.",
    "en": "We invite everyone who uses our services to an open meeting. There will be interpreters and food.",
    "so": "Waxaan ku martiqaadaynaa qof kasta oo isticmaala adeegyadeena kulan furan.",
    "ar": "ندعو كل من يستخدم خدماتنا إلى اجتماع مفتوح. سيكون هناك مترجم فوري وطعام.",
    "ta": "எங்கள் சேவைகளைப் பயன்படுத்தும் அனைவரையும் ஒரு திறந்த கூட்டத்திற்கு அழைக்கிறோம்.",
    "ti": "ንኹሎም ኣገልግሎትና ዝጥቀሙ ናብ ክፉት ኣኼባ ንዕድም። ተርጓሚ፡ መግብን መስተን ክህሉ እዩ።",
    "fa": "ما از همه کسانی که از خدمات ما استفاده می‌کنند دعوت می‌کنیم به یک نشست باز بیایند.",
    "ur": "ہم ہر اس شخص کو جو ہماری خدمات استعمال کرتا ہے ایک کھلے اجلاس میں مدعو کرتے ہیں۔",
    "ckb": "هەموو ئەو کەسانەی خزمەتگوزارییەکانمان بەکاردەهێنن بانگهێشت دەکەین.",
    "kmr": "Em her kesê ku karûbarên me bikar tîne vedixwînin civîneke vekirî.",
    "zh-Hans": "我们邀请所有使用我们服务的人参加公开会议。现场将提供口译、食物和饮料。",
    "es": "Invitamos a todas las personas que usan nuestros servicios a una reunión abierta.",
    "pl": "Zapraszamy wszystkich, którzy korzystają z naszych usług, na otwarte spotkanie.",
}


def poster(c, lang: str, day: dt.date, blocks: int = 15) -> None:
    loc = languages.babel_locale(lang)
    phrase = PHRASES[lang]
    items = [(phrase.split(".")[0].split("。")[0][:40], 40.0, True), (format_date(day, "EEEE d. MMMM y", locale=loc), 20.0, False)]
    items += [(phrase, 12.0, False), ("Storgata 5, 0155 Oslo · +47 22 33 44 55 · 17:30", 11.0, False)] * ((blocks - 2) // 2)
    items = items[:blocks]
    y = 800.0
    for s, size, bold in items:
        block = text.layout(s, lang, size, 480.0, bold)
        y -= text.draw(c, block, 50, y) + 4
        if y < 60:
            y = 800.0
    c.showPage()


def main() -> None:
    day = dt.date(2025, 12, 3)
    print(f"{'lang':8} {'first page ms':>13} {'warm median ms':>15}")
    for lang in PHRASES:
        c = canvas.Canvas(io.BytesIO())
        t0 = time.perf_counter()
        poster(c, lang, day)
        first = (time.perf_counter() - t0) * 1000
        times = []
        for i in range(20):
            t0 = time.perf_counter()
            poster(c, lang, day + dt.timedelta(days=i % 7))
            times.append((time.perf_counter() - t0) * 1000)
        print(f"{lang:8} {first:13.1f} {statistics.median(times):15.2f}")
    # 500 letters x 25 blocks, mixed languages, one document per language, then save
    t0 = time.perf_counter()
    for lang in ("nb", "ar", "zh-Hans", "ta", "so"):
        buf = io.BytesIO()
        c = canvas.Canvas(buf)
        for i in range(100):
            poster(c, lang, day + dt.timedelta(days=i % 14), blocks=25)
        c.save()
    total = time.perf_counter() - t0
    print(f"500 letters x 25 blocks (5 languages, incl. PDF save): {total:.2f} s, {total / 500 * 1000:.1f} ms/letter")


if __name__ == "__main__":
    main()
