"""Draw the project's own placeholder marks (no real trademarks) into printables/marks/.

Run once: ``python -m tools.make_marks``. Admins replace them with the real marks in the app.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "printables" / "marks"
FONT = Path("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf")
BLACK, RED = (0, 0, 0, 255), (195, 0, 0, 255)


def _font(size):
    return ImageFont.truetype(str(FONT), size)


def shield(label):
    img = Image.new("RGBA", (600, 720), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    d.polygon([(40, 40), (560, 40), (560, 400), (300, 690), (40, 400)], outline=BLACK, width=28)
    d.text((300, 300), label, font=_font(96), fill=BLACK, anchor="mm")
    return img


def box(label, colour, width=1000, height=400):
    img = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([16, 16, width - 16, height - 16], radius=60, outline=colour, width=24)
    d.text((width // 2, height // 2), label, font=_font(170), fill=colour, anchor="mm")
    return img


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    shield("BYVÅPEN").save(OUT / "coat_of_arms.png", optimize=True)
    box("BYDEL", BLACK).save(OUT / "district.png", optimize=True)
    nav = Image.new("RGBA", (1040, 420), (255, 255, 255, 0))
    d = ImageDraw.Draw(nav)
    d.ellipse([20, 20, 400, 400], outline=RED, width=34)
    d.text((730, 210), "N·A·V", font=_font(140), fill=RED, anchor="mm")
    nav.save(OUT / "nav.png", optimize=True)
    box("PROSJEKT", BLACK, width=1200).save(OUT / "project.png", optimize=True)


if __name__ == "__main__":
    main()
