"""``brukermote contacts …``: retention from the command line (cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from . import services

contacts_cli = AppGroup("contacts", help="Contacts and their personal data.")


@contacts_cli.command("purge")
@click.option("--months", default=24, show_default=True, type=click.IntRange(min=1),
              help="Remove contacts with no active consent and no activity for this many months.")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
def purge(months: int, dry_run: bool) -> None:
    """Erase contacts past retention. Prints counts and ids, never names."""
    ids = services.purge(months, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
        click.echo(f"Would remove {len(ids)} contacts (dry run): {', '.join(map(str, ids)) or '-'}")
    else:
        db.session.commit()
        click.echo(f"Removed {len(ids)} contacts: {', '.join(map(str, ids)) or '-'}")


commands = [contacts_cli]
