"""Draw brukermote/static/favicon.ico from the same shapes as favicon.svg (a speech bubble on the
accent blue). Browsers ask for /favicon.ico on their own; the ICO answers them, the SVG is linked.

Run: python -m tools.favicon"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ACCENT, WHITE = (11, 92, 173, 255), (255, 255, 255, 255)
TARGET = Path(__file__).resolve().parent.parent / "brukermote" / "static" / "favicon.ico"


def draw(scale: int = 8) -> Image.Image:
    """The 32-unit design drawn at 32 * scale pixels, to be scaled down smoothly."""
    s = scale
    image = Image.new("RGBA", (32 * s, 32 * s), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, 32 * s - 1, 32 * s - 1), radius=6 * s, fill=ACCENT)
    pen.rounded_rectangle((4 * s, 7 * s, 28 * s, 23 * s), radius=3 * s, fill=WHITE)
    pen.polygon([(9 * s, 22 * s), (15 * s, 22 * s), (9 * s, 28 * s)], fill=WHITE)
    for x in (10.5, 16, 21.5):
        pen.ellipse(((x - 2) * s, 13 * s, (x + 2) * s, 17 * s), fill=ACCENT)
    return image


def main() -> None:
    draw().resize((64, 64), Image.LANCZOS).save(TARGET, sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
