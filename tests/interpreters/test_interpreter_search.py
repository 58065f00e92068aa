"""Finding interpreters (issue 17): by name, language and provider, 50 a page."""

from __future__ import annotations

import re

from brukermote.extensions import db
from brukermote.interpreters.models import Interpreter, InterpreterLanguage, InterpreterProvider


def _names(html: str) -> list[str]:
    return re.findall(r'/interpreters/people/\d+">([^<]+)</a>', html)


def test_interpreters_are_found_by_name_language_and_provider(admin_client, app):
    agency = InterpreterProvider(name="Tolkebyrået AS")
    db.session.add(agency)
    db.session.flush()
    for index in range(55):
        person = Interpreter(name=f"Tolk {index:02d}", phone="+4791234567",
                             provider_id=agency.id if index % 5 == 0 else None)
        person.languages.append(InterpreterLanguage(language="so" if index % 2 else "ar"))
        db.session.add(person)
    db.session.commit()

    first = admin_client.get("/interpreters").get_data(as_text=True)
    assert len(_names(first)) == 50 and "Side 1 av 2" in first and "912 34 567" in first
    assert len(_names(admin_client.get("/interpreters?page=2").get_data(as_text=True))) == 5
    assert len(_names(admin_client.get("/interpreters?language=so").get_data(as_text=True))) == 27
    assert _names(admin_client.get(f"/interpreters?provider={agency.id}&language=ar").get_data(as_text=True)) == [
        "Tolk 00", "Tolk 10", "Tolk 20", "Tolk 30", "Tolk 40", "Tolk 50"]
    assert _names(admin_client.get("/interpreters?q=tolk 07").get_data(as_text=True)) == ["Tolk 07"]
    empty = admin_client.get("/interpreters?q=Nobody").get_data(as_text=True)
    assert _names(empty) == [] and "Ingen tolker passer til søket." in empty
