"""How the fuzz test observes: a hash of every row (so "nothing changed" is exact), stored text checked
for what no form should let through, forms read from the page as a browser reads them, and the loop
that submits one bad value at a time and tallies what went wrong."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

import lxml.html
import sqlalchemy as sa

from brukermote.demo import DEMO_ADMIN
from brukermote.extensions import db
from tests.conftest import login

from .recipes import BAD, ENGLISH, FORBIDDEN_STORED, Recipe

# -- observing the database -----------------------------------------------------------------------

#: Not user input: the audit log records who *viewed* personal data (a re-rendered form with names counts),
#: and a signed-in user's session row notes when it was last seen.
UNHASHED = {"audit_entry", "audit_log", "audit", "user_session"}


def snapshot() -> dict[str, str]:
    """A hash of every row, per table (so a difference names the tables that changed)."""
    digests = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if not hashed(table.name):
                continue
            digest = hashlib.sha256()
            order = list(table.primary_key.columns) or list(table.columns)
            for row in conn.execute(sa.select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode("utf-8", "backslashreplace"))
            digests[table.name] = digest.hexdigest()
    return digests


def hashed(table_name: str) -> bool:
    return table_name not in UNHASHED and "audit" not in table_name


class WriteWatch:
    """Notes whether any statement that could change a hashed table ran on the app's engine since
    ``reset``: when none did, the tables are as the last snapshot saw them and hashing them again would
    prove nothing more. Anything not plainly a read (DDL, a writing CTE, an unknown statement) counts
    as a write, so the watch can only make the test hash more often, never skip a change."""

    READ = re.compile(r"\s*(SELECT|PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|SHOW)\b", re.I)
    WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)

    def __init__(self, engine):
        self.engine = engine
        self.wrote = True
        sa.event.listen(engine, "before_cursor_execute", self._statement)

    def _statement(self, _conn, _cursor, statement, *_args):
        if self.READ.match(statement):
            return
        write = self.WRITE.match(statement)
        if write is None or hashed(write.group(1)):
            self.wrote = True

    def reset(self) -> None:
        self.wrote = False

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._statement)


def changed(before: dict, after: dict) -> list[str]:
    return sorted(name for name in after if before.get(name) != after[name])


def stored_problems() -> list[str]:
    """Stored text with control characters or bidi overrides, or longer than its column."""
    problems = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.String)]
            if not columns:
                continue
            for row in conn.execute(sa.select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if not isinstance(value, str):
                        continue
                    if FORBIDDEN_STORED.search(value):
                        problems.append(f"{table.name}.{column.name} holds {value[:40]!r}")
                    if column.type.length and len(value) > column.type.length:
                        problems.append(f"{table.name}.{column.name} holds {len(value)} characters")
    return problems


# -- reading a page like a browser ----------------------------------------------------------------

def _form_element(html: str, action: str, pick):
    document = lxml.html.fromstring(html)
    candidates = [f for f in document.forms if (f.get("action") or "").split("?")[0].split("#")[0] == action]
    if not candidates:
        candidates = [f for f in document.forms if not f.get("action") and (f.get("method") or "").lower() == "post"]
    if pick:
        name, value = pick
        candidates = [f for f in candidates if f.xpath(f".//*[@name='{name}' and @value='{value}']")]
    assert candidates, f"no form posting to {action}"
    return document, candidates[0]


def _values(form_el, pick) -> dict:
    values: dict = {}
    for name, value in form_el.form_values():
        if name in values:
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value
    if pick:  # a submit button's name/value is sent when it is pressed
        values[pick[0]] = pick[1]
    return values


def _kinds(document, form_el, values) -> dict[str, tuple[str, str]]:
    """field name -> (kind, label text) for the fields a user fills in."""
    kinds = {}
    for element in form_el.xpath(".//input|.//textarea|.//select"):
        name = element.get("name")
        if not name or name == "csrf_token" or name not in values or isinstance(values[name], list):
            continue
        tag, type_ = element.tag, (element.get("type") or "text").lower()
        if tag == "textarea":
            kind = "textarea"
        elif type_ == "checkbox":
            continue  # any value a browser or a forger sends means "ticked": nothing to refuse
        elif tag == "select" or type_ in ("hidden", "radio", "submit"):
            kind = "choice"
        elif type_ in ("date", "time", "number", "tel"):
            kind = type_
        elif type_ in ("text", "email", "password", "search", "url"):
            kind = "tel" if "phone" in name else "text"
        else:
            continue
        label = ""
        if element.get("id"):
            # Within the form first: two forms on one page may both have a field "note".
            labels = (form_el.xpath(f".//label[@for='{element.get('id')}']")
                      or document.xpath(f"//label[@for='{element.get('id')}']"))
            label = labels[0].text_content().strip() if labels else ""
        kinds[name] = (kind, label)
    return kinds


def names_the_field(html: str, label: str, name: str) -> bool:
    document = lxml.html.fromstring(html)
    alerts = [a.text_content() for a in document.xpath("//*[@role='alert' or contains(@class, 'field-error')]")]
    if not label:
        return bool(alerts)
    short = label.split("(")[0].strip().rstrip(":*").strip()
    if any(short.lower() in a.lower() for a in alerts):
        return True
    for box in document.xpath("//*[contains(@class, 'has-error')]"):
        if short.lower() in box.text_content().lower() and box.xpath(".//*[@role='alert']"):
            return True
    for error in document.xpath("//*[contains(@class, 'field-error')]"):  # the public sign-up form
        if short.lower() in error.getparent().text_content().lower():
            return True
    return False


# -- the fuzzing ----------------------------------------------------------------------------------

@dataclass
class Tally:
    errors_500: list = field(default_factory=list)
    accepted: list = field(default_factory=list)
    unnamed: list = field(default_factory=list)
    english: list = field(default_factory=list)
    controls: list = field(default_factory=list)
    #: Every accepted submission, bad or not: a recipe that accepted one needs no control.
    accepted_any: list = field(default_factory=list)
    submissions: int = 0

    def report(self) -> str:
        lines = [f"{self.submissions} submissions: {len(self.errors_500)} answered 500, "
                 f"{len(self.accepted)} accepted a bad value, {len(self.unnamed)} refused without naming the field, "
                 f"{len(self.english)} refused in English, {len(self.controls)} controls not accepted"]
        for title, items in (("500", self.errors_500), ("accepted", self.accepted), ("unnamed", self.unnamed),
                             ("english", self.english), ("control", self.controls)):
            counts = Counter(items)
            lines += [f"  {title}: {item}" + (f" ×{n}" if n > 1 else "") for item, n in sorted(counts.items())]
        return "\n".join(lines)


class Fuzzer:
    def __init__(self, app, tally: Tally):
        self.app = app
        self.tally = tally
        self.clients = {}
        self.watch = WriteWatch(db.engine)

    def client(self, who: str, world):
        if who not in self.clients:
            client = self.app.test_client()
            if who == "admin":
                assert login(client, DEMO_ADMIN[0], DEMO_ADMIN[2]).status_code == 302
            self.clients[who] = client
        return self.clients[who]

    def post(self, client, url, data, what):
        self.tally.submissions += 1
        try:
            response = client.post(url, data=data)
        except Exception as exc:  # TESTING propagates the exception a user would see as a 500
            db.session.rollback()
            self.tally.errors_500.append(f"{what}: {type(exc).__name__}: {str(exc).splitlines()[0][:90]}")
            return None
        if response.status_code >= 500:
            self.tally.errors_500.append(f"{what}: HTTP {response.status_code}")
            return None
        return response

    def page_after(self, client, response) -> str:
        if response.status_code in (301, 302, 303):
            try:
                followed = client.get(response.headers["Location"])
            except Exception as exc:
                db.session.rollback()
                self.tally.errors_500.append(f"GET {response.headers['Location']} after the post: {type(exc).__name__}")
                return ""
            return followed.get_data(as_text=True)
        return response.get_data(as_text=True)

    def run(self, name: str, recipe: Recipe, world):
        client = self.client(recipe.who, world)
        action = recipe.action or recipe.page
        if recipe.fields is not None:
            base, kinds = dict(recipe.overrides), recipe.fields
        else:
            try:
                page = client.get(recipe.page)
            except Exception as exc:  # an earlier accepted value broke the page: a 500 for everyone
                db.session.rollback()
                self.tally.errors_500.append(f"{name}: GET {recipe.page}: {type(exc).__name__}: {exc}"[:160])
                return
            assert page.status_code == 200, f"{name}: GET {recipe.page} answered {page.status_code}"
            document, form_el = _form_element(page.get_data(as_text=True), action, recipe.pick)
            base = _values(form_el, recipe.pick)
            base.update(recipe.overrides)
            kinds = _kinds(document, form_el, base)
        # The state after one submission is the state before the next (nothing runs in between), so each
        # submission hashes the database once, not twice, and not at all when it wrote nothing (WriteWatch);
        # after a 500 it is hashed afresh.
        current = snapshot()
        for key, (kind, label) in kinds.items():
            if key in recipe.skip:
                continue
            for value_name, bad in BAD[kind].items():
                what = f"{name} {key}={value_name}"
                data = dict(base, **{key: bad})
                before = current if current is not None else snapshot()
                current = None
                self.watch.reset()
                response = self.post(client, action, data, what)
                if response is None:
                    continue
                html = self.page_after(client, response)
                current = snapshot() if self.watch.wrote else before
                tables = changed(before, current)
                if tables:
                    self.tally.accepted_any.append(what)
                    acceptable = (kind == "choice" or
                                  (value_name == "negative" and key.split("-")[-1] in recipe.negative_ok))
                    stored = stored_problems()
                    if not acceptable or stored:
                        self.tally.accepted.append(what + f" (changed {', '.join(tables)})"
                                                   + (f" ({stored[0]})" if stored else ""))
                    continue
                if kind == "choice":
                    continue  # a browser cannot send these; refusing them in any words is enough
                if not names_the_field(html, label, key):
                    self.tally.unnamed.append(what)
                alerts = " ".join(lxml.html.fromstring(html).xpath("//*[@role='alert']//text()"))
                if any(phrase in alerts for phrase in ENGLISH):
                    self.tally.english.append(f"{what}: {alerts.strip()[:80]}")
        if recipe.control and not any(item.startswith(f"{name} ") for item in self.tally.accepted_any):
            before = current if current is not None else snapshot()
            response = self.post(client, action, base, f"{name} control")
            if response is not None and snapshot() == before and response.status_code not in (302, 303):
                alerts = lxml.html.fromstring(response.get_data(as_text=True)).xpath(
                    "//*[@role='alert'] | //*[contains(@class, 'has-error')]")
                self.tally.controls.append(f"{name}: {response.status_code} "
                                           + " | ".join(a.text_content().strip()[:100] for a in alerts))
