"""``brukermote print …``: every document from the command line, for scripts and the print shop."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from ..auth.capabilities import CapabilityError, cli_actor
from ..extensions import db
from ..meetings.models import Meeting
from . import services
from .documents import PrintError
from .layout import DOCUMENTS

print_cli = AppGroup("print", help="Make printed documents (PDF) for a meeting.")


def _meeting(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise click.ClickException(f"No meeting with id {meeting_id}.")
    return meeting


def _run(meeting_id: int, request: services.PrintRequest, output: str) -> None:
    meeting = _meeting(meeting_id)
    try:
        # The operator's system account is the actor: a mail merge from here is audited like one
        # from the web page.
        pdf, report = services.render(meeting, request, actor=cli_actor())
    except CapabilityError as exc:
        raise click.ClickException(str(exc)) from None
    except services.PreflightFailed as exc:
        click.echo(services.preflight.as_text(exc.report), err=True)
        raise click.ClickException("Preflight failed: no PDF was written. Fix the errors, or use --draft.") from None
    except PrintError as exc:
        raise click.ClickException(str(exc)) from None
    for finding in report.warnings:
        click.echo(f"WARNING: {finding.message}", err=True)
    if output == "-":
        sys.stdout.buffer.write(pdf)
    else:
        Path(output).write_bytes(pdf)
        click.echo(f"Wrote {output} ({len(pdf) // 1024} KB){' as a DRAFT' if request.draft else ''}.", err=True)
    db.session.commit()  # the audit entry (and any placeholder marks seeded on the way)


def _document_command(name: str):
    spec = DOCUMENTS[name]

    @click.argument("meeting_id", type=int)
    @click.option("-o", "--output", required=True, help="PDF file to write ('-' for standard output).")
    @click.option("--draft", is_flag=True, help="Print even if not approved; every page is marked DRAFT.")
    def command(meeting_id, output, draft, **options):
        request = services.PrintRequest(document=name, draft=draft, **options)
        _run(meeting_id, request, output)

    if spec.per_contact:
        command = click.option("--contacts", "contact_ids", callback=_parse_ids, default=None,
                               help="Comma-separated contact ids (default: everyone who consented to news by post).")(command)
        if name == "labels":
            command = click.option("--layout", "label_layout", default=None,
                                   help="COLSxROWS:WxH[:LEFT:TOP] in mm (default 3x8:70x36:0:4.5).")(command)
    else:
        command = click.option("--lang", "language", default="nb", show_default=True, help="Language code.")(command)
    if name in ("poster", "flyer"):
        command = click.option("--with-nb", is_flag=True, help="Norwegian alongside the chosen language.")(command)
    if spec.print_shop:
        command = click.option("--variant", type=click.Choice(["office", "printshop"]), default="office",
                               show_default=True,
                               help="office: any printer, white margins; printshop: bleed, crop marks, 100 % K.")(command)
    if name == "flyer":
        command = click.option("--sheet", type=click.Choice(["sheet", "single"]), default="sheet", show_default=True,
                               help="sheet: 2 (A5) or 4 (A6) to an A4 sheet with cut marks; single: one per page.")(command)
    if len(spec.sizes) > 1:
        command = click.option("--size", type=click.Choice(spec.sizes), default=spec.default_size,
                               show_default=True)(command)
    if name == "slips":
        command = click.option("--pages", type=int, default=1, show_default=True, help="Pages of slips (three, or two when bilingual, to a page).")(command)
    return print_cli.command(name, help=f"{spec.title} as PDF.")(command)


def _parse_ids(ctx, param, value):
    if not value:
        return None
    try:
        return [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter("use comma-separated numbers, e.g. 4,8,15") from None


for _name in DOCUMENTS:
    _document_command(_name)


@print_cli.command("preflight")
@click.argument("meeting_id", type=int)
@click.option("--document", type=click.Choice(list(DOCUMENTS)), default="poster", show_default=True)
@click.option("--lang", "language", default=None, help="Check one language (default: the meeting's languages).")
@click.option("--size", default=None)
def preflight_command(meeting_id, document, language, size):
    """Check a meeting's print readiness; exits non-zero when a final print would be refused."""
    meeting = _meeting(meeting_id)
    report = services.preflight.run(meeting, document, [language] if language else None, size)
    click.echo(services.preflight.as_text(report))
    if not report.ok:
        sys.exit(1)


commands = [print_cli]
