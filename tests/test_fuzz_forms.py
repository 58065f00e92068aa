"""Every form in the application, public ones included, gets what a careless or hostile user sends.

The forms are found by walking ``app.url_map`` for POST routes, so a new form cannot escape: a POST
route with neither a recipe nor a reasoned exemption (``tests/fuzz/recipes.py``) fails
``test_every_post_route_has_a_recipe``. How a submission is observed and judged: ``tests/fuzz/engine.py``.

For each recipe the test opens the page a browser would (as the user who would), takes the values the
form sends back unchanged (``browser_form.form_values``), and replaces one field at a time with a bad
value chosen by the field's kind (from the page's HTML: text, textarea, date, time, number, tel, select).
Each submission must not answer 500; a bad value must be refused with a message naming the field (an
alert that names the field's label, or an error shown inside the field's own box) and leave every row of
every table exactly as it was (a hash of all rows). Only -1 may be accepted, in a field where a negative
number means something (days *before* the meeting), when what was stored is clean. A bidi override is
refused like any control character (the form shows the text back without it; see ``core.validation``).
Finally the unchanged form is submitted once more as a control: it must be accepted, or the fuzzing
proved nothing.
"""

from __future__ import annotations

import io

import sqlalchemy as sa

from brukermote.extensions import db

from .fuzz.engine import Fuzzer, Tally, _form_element, _values, snapshot
from .fuzz.recipes import EXEMPT, TEXT, _late_recipes, _outreach_recipes, _recipes, _world, post_rules


def test_every_post_route_has_a_recipe(app):
    """A new POST route needs a recipe in _recipes (or a reason in EXEMPT): no form escapes the fuzzing."""
    known = set(EXEMPT) | _recipe_rules()
    missing = sorted(post_rules(app) - known)
    assert not missing, (
        "POST routes without a fuzz recipe; add one to tests/fuzz/recipes.py::_recipes "
        f"(or a reasoned entry in EXEMPT): {missing}")
    stale = sorted(known - post_rules(app))
    assert not stale, f"recipes for routes that no longer exist: {stale}"


def _recipe_rules() -> set[str]:
    class Any:
        def __getitem__(self, key):
            return self

        def __getattr__(self, key):
            return 1 if key == "id" else "x"

        def __bool__(self):
            return True

    return set(_recipes(Any()))


def test_every_form_refuses_what_a_careless_or_hostile_user_sends(app, runner):
    world = _world(app, runner)
    tally = Tally()
    fuzzer = Fuzzer(app, tally)
    recipes = {k: v for k, v in _recipes(world).items() if v is not None}
    recipes.update(_late_recipes(fuzzer.client("admin", world), world))
    for part, recipe in _outreach_recipes(world["meeting"].id).items():
        recipes[f"/meetings/<int:meeting_id>/outreach ({part})"] = recipe
    # What can end the meeting's planning (a cancellation, a status change) comes last.
    last = ("/meetings/<int:meeting_id>/status", "/meetings/<int:meeting_id>/cancel")
    try:
        for name in sorted(recipes, key=lambda name: name in last):
            fuzzer.run(name, recipes[name], world)
    finally:
        fuzzer.watch.close()
    print(tally.report())
    assert not (tally.errors_500 or tally.accepted or tally.unnamed or tally.english or tally.controls), tally.report()


def test_import_refuses_bad_rows(app, admin_client):
    """A contacts file gets the same bad values as the form: the preview names the row and the column, and
    committing imports nothing (all or nothing)."""
    from brukermote.outreach.models import Contact

    rows = [("Ærlig Åse Øyen", "40000003", "so")] + [(bad, "40000004", "ar") for bad in TEXT.values()] + [
        ("Müller", "4000OOO1", "nb")]
    body = "navn;telefon;språk\n" + "".join(f"{n};{p};{lang}\n" for n, p, lang in rows)
    response = admin_client.post("/contacts/import", data={"file": (io.BytesIO(body.encode()), "k.csv")},
                                 content_type="multipart/form-data")
    if response.status_code != 302:  # refused outright (the NUL byte): nothing pending, nothing imported
        assert "role=\"alert\"" in response.get_data(as_text=True)
        assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0
        return
    preview_url = response.headers["Location"]
    html = admin_client.get(preview_url).get_data(as_text=True)
    before = snapshot()
    document, form_el = _form_element(html, preview_url.split("?")[0], ("action", "commit"))
    response = admin_client.post(preview_url, data=_values(form_el, ("action", "commit")))
    assert response.status_code == 422, response.status_code
    assert snapshot() == before
    text = response.get_data(as_text=True)
    assert "Ingenting ble importert" in text or "ble importert" not in text
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0


def test_the_write_watch_sees_every_write_to_a_hashed_table(app):
    """The fuzzing skips hashing the database after a submission that wrote nothing: the watch that decides
    it must see an ORM insert, a Core update and raw SQL, and ignore only reads and the unhashed tables."""
    from brukermote.core.models import AuditEntry, Organisation

    from .fuzz.engine import WriteWatch

    watch = WriteWatch(db.engine)
    try:
        cases = [
            (lambda: db.session.add(Organisation(name="NAV Bjerke")), True),
            (lambda: db.session.execute(sa.update(Organisation).values(name="NAV Grorud")), True),
            (lambda: db.session.execute(sa.text('DELETE FROM "organisation"')), True),
            (lambda: db.session.execute(sa.text("WITH x AS (SELECT 1) SELECT * FROM x")), True),  # not plainly a read
            (lambda: db.session.scalars(sa.select(Organisation)).all(), False),
            (lambda: db.session.add(AuditEntry(action="contact.view", user_label="test")), False),
        ]
        for act, wrote in cases:
            watch.reset()
            act()
            db.session.flush()
            assert watch.wrote is wrote, act
    finally:
        watch.close()
        db.session.rollback()
