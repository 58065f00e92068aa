import pytest

from tests.printing.helpers import make_meeting


@pytest.fixture
def meeting(app):
    """A published meeting with venue, programme, settings and every text approved."""
    return make_meeting()


@pytest.fixture
def sqlite_only(database_url):
    """Rendering does not depend on the database: run the big document matrices once."""
    if "postgresql" in database_url:
        pytest.skip("rendering is database-independent; covered on SQLite")


@pytest.fixture(autouse=True)
def public_address(app):
    """Final prints need an address a phone can open (a loopback address blocks them)."""
    app.config["PUBLIC_BASE_URL"] = "https://brukermote.bjerke.example"
