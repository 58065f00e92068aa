"""Logos as office printers get them: a one-ink logo is a stencil painted in its ink, others images."""

from __future__ import annotations

import io

import pypdf
from PIL import Image

from brukermote.printing import logos, services
from brukermote.printing.services import PrintRequest
from tests.printing.helpers import ACTOR, make_contacts


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def test_one_ink_is_found_only_in_a_logo_of_one_colour_on_transparent_paper():
    logo = Image.new("RGBA", (60, 30), (0, 0, 0, 0))
    logo.paste((195, 0, 0, 255), (10, 5, 50, 25))
    logo.paste((195, 0, 0, 120), (50, 5, 52, 25))  # an antialiased edge: the same ink, half covering
    assert logos.one_ink(1, "a", _png(logo)) == (195, 0, 0)
    logo.paste((0, 0, 255, 255), (20, 10, 30, 20))  # a second colour
    assert logos.one_ink(2, "a", _png(logo)) is None
    assert logos.one_ink(3, "a", _png(Image.new("RGBA", (10, 10), (0, 0, 0, 255)))) is None  # no paper
    assert logos.one_ink(4, "a", _png(Image.new("RGB", (10, 10), (255, 255, 255)))) is None


def test_letters_carry_one_ink_logos_as_stencils_and_print_shop_posters_as_images(meeting):
    contact = make_contacts(1)[0]
    pdf, _report = services.render(meeting, PrintRequest(document="letters", contact_ids=[contact.id]), actor=ACTOR)
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    images = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
    assert len(images) == 4 and all(bool(x.get("/ImageMask")) and x["/BitsPerComponent"] == 1 for x in images)
    content = page.get_contents().get_data()
    assert b".764706 0 0 rg" in content  # the NAV logo's red (#C30000) paints its stencil
    shop, _report = services.render(meeting, PrintRequest(document="poster", language="nb", size="A4",
                                                          variant="printshop"))
    page = pypdf.PdfReader(io.BytesIO(shop)).pages[0]
    images = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
    assert images and all("/ImageMask" not in x and x["/ColorSpace"][0] == "/ICCBased" for x in images)
