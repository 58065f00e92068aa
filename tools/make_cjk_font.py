"""Build the vendored Chinese (simplified) TrueType fonts in ``printables/fonts/``.

ReportLab can only embed TrueType (``glyf``) outlines, while Debian's Noto Sans CJK ships CFF
outlines in a ``.ttc`` collection. This script, run once (the result is committed):

1. opens the "Noto Sans CJK SC" face of ``NotoSansCJK-{Regular,Bold}.ttc`` (fonts-noto-cjk);
2. subsets it to GB2312 (all 7,445 characters) + CJK symbols and punctuation + fullwidth forms
   + ASCII + general punctuation, keeping every GSUB/GPOS feature the subset still uses;
3. converts the cubic CFF outlines to quadratic ``glyf`` contours with a cu2qu pen
   (max error 1 font unit of 1000), drops CFF/VORG and writes ``NotoSansSC-<Weight>.ttf``.

Usage: ``python tools/make_cjk_font.py [--source-dir DIR] [--out-dir DIR]``
Licence of the output: SIL OFL 1.1 (see printables/fonts/OFL.txt); "Noto" is not a reserved
font name, so the modified font may keep it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, newTable

FACE_NAME = "Noto Sans CJK SC"
MAX_ERR = 1.0  # font units (UPM 1000)


def gb2312_codepoints() -> set[int]:
    cps: set[int] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            cps.add(ord(ch))
    return cps


def wanted_codepoints() -> set[int]:
    cps = gb2312_codepoints()
    cps |= set(range(0x20, 0x7F))  # ASCII
    cps |= set(range(0xA0, 0x100))  # Latin-1 (·, °, ×, ÷ …)
    cps |= set(range(0x2000, 0x2070))  # general punctuation (— … ‘ ’ “ ” ‰)
    cps |= set(range(0x3000, 0x3040))  # CJK symbols and punctuation
    cps |= set(range(0xFF00, 0xFFF0))  # half/fullwidth forms
    cps |= {0x2103, 0x2116, 0x2236, 0x00D7, 0x2014, 0x2026}
    return cps


def find_face(ttc_path: Path):
    collection = TTCollection(str(ttc_path))
    for font in collection.fonts:
        if font["name"].getDebugName(4).startswith(FACE_NAME):
            return font
    raise SystemExit(f"{FACE_NAME} not found in {ttc_path}")


def cff_to_glyf(font) -> None:
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()

    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]

    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
        "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    head = font["head"]
    head.indexToLocFormat = 1
    head.glyphDataFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    font.sfntVersion = "\x00\x01\x00\x00"
    # recompute bounding boxes
    for name in glyph_order:
        glyphs[name].recalcBounds(glyf)


def build(ttc_path: Path, out_path: Path) -> None:
    font = find_face(ttc_path)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False
    options.drop_tables += ["VORG", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted_codepoints())
    subsetter.subset(font)
    cff_to_glyf(font)
    font.save(str(out_path))
    print(f"{out_path}: {out_path.stat().st_size / 1e6:.2f} MB, {len(font.getGlyphOrder())} glyphs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", default="/usr/share/fonts/opentype/noto")
    parser.add_argument("--out-dir", default=str(Path(__file__).resolve().parents[1] / "printables" / "fonts"))
    parser.add_argument("--weights", default="Regular,Bold")
    args = parser.parse_args()
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for weight in args.weights.split(","):
        build(Path(args.source_dir) / f"NotoSansCJK-{weight}.ttc", out_dir / f"NotoSansSC-{weight}.ttf")


if __name__ == "__main__":
    main()
