from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from .services import UserError, create_user

user_cli = AppGroup("user", help="Manage committee members' accounts.")


@user_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="May manage users and settings.")
@click.option("--confidential", is_flag=True, help="Bound by professional secrecy; may see personal data.")
def create(email, name, password, admin, confidential):
    """Create a user (the first administrator, for example)."""
    try:
        user = create_user(email, name, password, admin=admin, confidential=confidential)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created {user.email}{' (admin)' if admin else ''}.")


@user_cli.command("sign-out")
@click.argument("email")
def sign_out(email):
    """Sign a member out on every device (a lost laptop, a phone left behind)."""
    from .services import find_by_email, sign_out_everywhere

    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"No user has the e-mail address {email}.")
    count = sign_out_everywhere(user)
    db.session.commit()
    click.echo(f"Signed {user.email} out of {count} session(s).")
