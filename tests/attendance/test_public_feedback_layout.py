"""The faces on the public feedback page, in a narrow phone-sized browser: each face's words sit
under the face, not beside it, and the group of faces has no frame — whatever the form's own
label and fieldset rules say."""

import datetime as dt
import json
import subprocess
import sys

import pytest

from brukermote.core.timeutil import local_today, utcnow
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingStatus, MeetingType
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, live_app, live_server  # noqa: F401  (fixtures)

# Measured in a process of its own: the browser tests' session-wide Playwright would refuse a second
# synchronous Playwright in this one.
MEASURE = """
import json, sys
from playwright.sync_api import sync_playwright
url, path, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=path, args=args, headless=True)
    page = browser.new_page(viewport={"width": 420, "height": 900})
    page.goto(url)
    faces = page.locator("label.face")
    result = {"faces": [{"svg": faces.nth(i).locator("svg").bounding_box(),
                         "words": faces.nth(i).locator("span").bounding_box(),
                         "weight": faces.nth(i).evaluate("e => getComputedStyle(e).fontWeight")}
                        for i in range(faces.count())],
              "border": page.locator("fieldset.faces").evaluate("e => getComputedStyle(e).borderTopStyle")}
    browser.close()
print(json.dumps(result))
"""


@pytest.mark.parametrize("lang", ["ar", "nb"])
def test_face_words_sit_under_each_face(live_server, lang):  # noqa: F811
    path = chromium_path()
    if path is None:
        pytest.fail("Debian's chromium package is missing; `make test` installs it (apt-get install chromium)")
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic="Bolig", day=local_today() - dt.timedelta(days=1),
        start=dt.time(13, 30), end=dt.time(15, 30), target_languages=["nb", "ar"]))
    meeting.status, meeting.published_at = MeetingStatus.held, utcnow() - dt.timedelta(days=20)
    db.session.commit()
    out = subprocess.run([sys.executable, "-c", MEASURE, f"{live_server.url}/m/{meeting.uid}/feedback?lang={lang}",
                          path, json.dumps(CHROMIUM_ARGS)], capture_output=True, text=True, timeout=120, check=True)
    measured = json.loads(out.stdout)
    assert len(measured["faces"]) == 5
    for i, face in enumerate(measured["faces"]):
        svg, words = face["svg"], face["words"]
        assert words["y"] >= svg["y"] + svg["height"] - 1, (lang, i)  # under the face, even short «بد»
        assert face["weight"] == "400"
    assert measured["border"] == "none"
