"""A contacts file comes back through the preview page with its names as written, in each encoding an
office saves CSV in — or is refused with a message; never imported as "\\x00Æ\\x00r…"."""

from __future__ import annotations

import html
import io

import pytest
import sqlalchemy as sa

from brukermote.extensions import db
from brukermote.outreach.models import Contact

LATIN = ["Ærlig Åse Øyen", "Müller"]
EVERYONE = LATIN + ["Đorđe", "محمد عبدالله"]


def _file(names, encoding: str, delimiter: str = ";", bom: bytes = b"") -> bytes:
    text = f"navn{delimiter}telefon\r\n" + "".join(f"{name}{delimiter}4000000{i}\r\n" for i, name in enumerate(names))
    return bom + text.encode(encoding)


def _upload(client, data: bytes, filename: str = "kontakter.csv"):
    return client.post("/contacts/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


CASES = {
    "utf-8": (_file(EVERYONE, "utf-8"), EVERYONE),
    "utf-8 with BOM": (_file(EVERYONE, "utf-8-sig"), EVERYONE),
    # Excel's "Unicode text": UTF-16 little-endian with a BOM, tab-separated.
    "utf-16 le (Excel Unicode text)": (_file(EVERYONE, "utf-16-le", "\t", b"\xff\xfe"), EVERYONE),
    "utf-16 be with BOM": (_file(EVERYONE, "utf-16-be", "\t", b"\xfe\xff"), EVERYONE),
    "utf-16 le without BOM": (_file(EVERYONE, "utf-16-le", "\t"), EVERYONE),
    # Windows-1252 with its own letters in 0x80–0x9F (the dash and the curly quote).
    "windows-1252": (_file(LATIN + ["Ola – «Per» Nordmann’s"], "cp1252"), LATIN + ["Ola – «Per» Nordmann’s"]),
    "latin-1": (_file(LATIN, "latin-1"), LATIN),
}


@pytest.mark.parametrize("case", CASES)
def test_names_come_back_through_the_preview_as_written(admin_client, case):
    data, names = CASES[case]
    response = _upload(admin_client, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    page = html.unescape(admin_client.get(response.headers["Location"]).get_data(as_text=True))
    for name in names:
        assert name in page, (case, name)
    assert "\x00" not in page
    assert "\ufffd" not in page  # nothing replaced by the "unknown character" sign


def test_the_import_stores_the_names_as_written(admin_client):
    response = _upload(admin_client, CASES["utf-16 le (Excel Unicode text)"][0])
    preview = response.headers["Location"]
    response = admin_client.post(preview, data={"name": "0", "phone": "1", "street": "", "postcode": "", "city": "",
                                                "language": "", "default_language": "nb", "wording_version": "2026-1",
                                                "action": "commit"})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    assert sorted(db.session.scalars(sa.select(Contact.name))) == sorted(EVERYONE)


def test_a_file_in_an_unknown_encoding_is_refused_with_a_message(admin_client):
    # Bytes 0x81 and 0x9D are letters in neither Windows-1252 nor UTF-8: some other code page.
    response = _upload(admin_client, b"navn;by\n" + b"\x81\x9d\xc6rlig;Oslo\n")
    assert response.status_code == 200
    text = html.unescape(response.get_data(as_text=True))
    assert "tegnkoding" in text.lower(), text[-1500:]
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0


def test_a_binary_file_with_nul_bytes_is_refused(admin_client):
    response = _upload(admin_client, b"navn;by\n\x00\x01\x02\x03\x00\x00\x00\x00\x10\x00")
    assert response.status_code == 200
    assert 'role="alert"' in response.get_data(as_text=True)
