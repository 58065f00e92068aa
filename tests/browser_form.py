"""What a browser would send back for a form on a page, unchanged: a round trip without a browser.

lxml resolves fields the way a browser does (a select with no selected option sends its first
option), so an edit form that forgets to mark the saved choice as selected shows up as a changed value.
"""

from __future__ import annotations

import lxml.html


def form_values(html: str, action: str) -> dict[str, str | list[str]]:
    """The values of the form posting to ``action`` (a form without an action posts to its page, which
    the caller names as ``action``)."""
    document = lxml.html.fromstring(html)
    forms = [form for form in document.forms if (form.get("action") or "").split("?")[0] == action] or [
        form for form in document.forms if not form.get("action") and (form.get("method") or "").lower() == "post"]
    assert forms, f"no form posting to {action}"
    values: dict[str, str | list[str]] = {}
    for name, value in forms[0].form_values():
        if name in values:
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value
    return values
