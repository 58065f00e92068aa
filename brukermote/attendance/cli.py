"""``brukermote report overview …``: the Table 1 overview for scripting (reports to funders)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from . import exports, reports

report_cli = AppGroup("report", help="Reports on past meetings.")


def _date(_ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param=param) from None


@report_cli.command("overview")
@click.option("--from", "start", callback=_date, help="First day (YYYY-MM-DD), inclusive.")
@click.option("--to", "end", callback=_date, help="Last day (YYYY-MM-DD), inclusive.")
@click.option("--format", "fmt", type=click.Choice(sorted(exports.FORMATS)), default="csv", show_default=True)
@click.option("--lang", type=click.Choice(["nb", "en"]), default="en", show_default=True,
              help="Language of the table (funders usually read English); nb writes CSV for Norwegian Excel "
                   "(semicolons, decimal commas).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path), required=True,
              help="File to write; '-' writes to standard output.")
def overview(start, end, fmt, lang, output) -> None:
    """Date, type, venue, topic, participants, invitation languages and interpreter per meeting."""
    if start and end and start > end:
        raise click.BadParameter("--from is after --to")
    headers, rows = reports.overview_export(start, end, lang)
    with force_locale(lang):
        title = _("User meetings: overview")
    if fmt == "csv":
        body = exports.to_csv(headers, rows, lang)
    elif fmt == "xlsx":
        body = exports.to_xlsx(headers, rows, title, lang)
    else:
        span = " – ".join(d.isoformat() for d in (start, end) if d)
        table1 = reports.TABLE1_COLUMNS
        body = exports.to_pdf(headers[:table1], [row[:table1] for row in rows], title, span, lang)
    if str(output) == "-":
        if fmt == "csv":
            click.echo(body.decode("utf-8-sig"), nl=False)
        else:
            # XLSX and PDF are binary: written as bytes, never decoded as text.
            sys.stdout.flush()
            sys.stdout.buffer.write(body)
            sys.stdout.buffer.flush()
        return
    output.write_bytes(body)
    click.echo(f"{len(rows)} meetings written to {output}", err=True)


commands = [report_cli]
