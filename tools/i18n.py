"""UI translations, one catalog per domain: ``brukermote/<domain>/translations/nb/LC_MESSAGES/messages.po``.

The source language of UI strings is English; Norwegian bokmål is the default UI language, so every
string must have an nb translation (a test checks). Usage::

    python -m tools.i18n update    # extract strings and merge them into each domain's nb catalog
    python -m tools.i18n compile   # compile .po to .mo
    python -m tools.i18n check     # list untranslated or fuzzy entries; exit 1 if any
    python -m tools.i18n fill sms nb.json   # set nb translations from a JSON object {msgid: msgstr}

``update``, ``compile`` and ``check`` take optional domain names to work on those catalogs only.
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "brukermote"
TEMPLATES = ROOT / "templates"
LOCALES = ["nb"]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHODS = [("**.py", "python"), ("**.html", "jinja2")]


def domains() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())


def _sources(domain: str) -> list[Path]:
    sources = [PACKAGE / domain]
    if (TEMPLATES / domain).is_dir():
        sources.append(TEMPLATES / domain)
    return sources


def extract(domain: str) -> Catalog:
    """The strings a domain's code and templates use; the top-level templates and modules belong to core."""
    catalog = Catalog(project="brukermote")
    sources = _sources(domain)
    for source in sources:
        for filename, lineno, message, _comments, context in extract_from_dir(
            str(source), METHODS, keywords=KEYWORDS, options_map={"**.html": {"extensions": "jinja2.ext.i18n"}}
        ):
            catalog.add(message, None, [(str((source / filename).relative_to(ROOT)), lineno)], context=context)
    if domain == "core":
        for path in list(TEMPLATES.glob("*.html")) + [p for p in PACKAGE.glob("*.py")]:
            method = "jinja2" if path.suffix == ".html" else "python"
            from babel.messages.extract import extract as extract_file

            with path.open("rb") as handle:
                for lineno, message, _comments, context in extract_file(method, handle, keywords=KEYWORDS):
                    catalog.add(message, None, [(str(path.relative_to(ROOT)), lineno)], context=context)
    return catalog


def po_path(domain: str, locale: str) -> Path:
    return PACKAGE / domain / "translations" / locale / "LC_MESSAGES" / "messages.po"


def read(domain: str, locale: str) -> Catalog | None:
    path = po_path(domain, locale)
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def update(only: list[str] | None = None) -> None:
    for domain in only or domains():
        template = extract(domain)
        if not len(template):
            continue
        for locale in LOCALES:
            catalog = read(domain, locale) or Catalog(locale=locale, project="brukermote")
            catalog.update(template, no_fuzzy_matching=True)
            path = po_path(domain, locale)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)
            print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")


def _compiled_content(catalog: Catalog) -> tuple[dict, str | None]:
    """What gettext reads from a catalog: translations and the plural rule (not the Babel version)."""
    messages = {}
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        key = (message.id if isinstance(message.id, str) else tuple(message.id), message.context)
        messages[key] = message.string if isinstance(message.string, str) else tuple(message.string)
    return messages, catalog.plural_forms


def is_stale(mo: Path, catalog: Catalog) -> bool:
    """Whether the compiled catalog is missing or says something other than the .po file.

    Compared by content, not bytes: the .mo header names the Babel version that wrote it, and a
    newer Babel on a fresh machine must not make a correct catalog look stale."""
    if not mo.exists():
        return True
    with mo.open("rb") as handle:
        compiled = read_mo(handle)
    return _compiled_content(compiled) != _compiled_content(catalog)


def compile_all(only: list[str] | None = None) -> None:
    for domain in only or domains():
        for locale in LOCALES:
            catalog = read(domain, locale)
            if catalog is None:
                continue
            mo = po_path(domain, locale).with_suffix(".mo")
            if is_stale(mo, catalog):
                buffer = BytesIO()
                write_mo(buffer, catalog)
                mo.write_bytes(buffer.getvalue())


def problems(only: list[str] | None = None) -> list[str]:
    """Strings used in code without a (non-fuzzy) nb translation, and stale compiled catalogs."""
    found = []
    for domain in only or domains():
        template = extract(domain)
        for locale in LOCALES:
            catalog = read(domain, locale)
            for message in template:
                if not message.id:
                    continue
                entry = catalog.get(message.id, message.context) if catalog else None
                if entry is None or not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
                    found.append(f"{domain}/{locale}: untranslated: {message.id!r}")
                elif entry.fuzzy:
                    found.append(f"{domain}/{locale}: fuzzy: {message.id!r}")
            if catalog is not None:
                if is_stale(po_path(domain, locale).with_suffix(".mo"), catalog):
                    found.append(f"{domain}/{locale}: messages.mo is not compiled from messages.po")
    return found


def fill(domain: str, translations: dict[str, str], locale: str = "nb") -> int:
    """Set translations for msgids (clearing fuzzy flags) and recompile; returns how many were set.

    A plural entry is keyed by its singular msgid and given a list of forms."""
    catalog = read(domain, locale)
    if catalog is None:
        raise SystemExit(f"{domain}: no {locale} catalog yet; run update first")
    changed = 0
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id  # plurals: keyed by the singular
        if key and key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(value, list) else value
            message.flags.discard("fuzzy")
            changed += 1
    with po_path(domain, locale).open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)
    compile_all([domain])
    return changed


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    arguments = sys.argv[2:]
    if command == "update":
        update(arguments or None)
    elif command == "compile":
        compile_all(arguments or None)
    elif command == "fill":
        import json

        print(f"{fill(arguments[0], json.loads(Path(arguments[1]).read_text(encoding='utf-8')))} translations set")
    else:
        issues = problems(arguments or None)
        print("\n".join(issues) or "All UI strings are translated.")
        sys.exit(1 if issues else 0)
