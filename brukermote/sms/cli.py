"""``brukermote sms …``: one sending pass for cron, and a look at what is due."""

from __future__ import annotations

import click
from flask.cli import AppGroup

sms_group = AppGroup("sms", help="SMS reminders and notices.")


@sms_group.command("send-due")
@click.option("--max-wait", type=float, default=None,
              help="Seconds to wait for retries due soon (default SMS_PASS_MAX_WAIT, 120).")
def send_due(max_wait: float | None) -> None:
    """Send every reminder and notice that is due, once: safe to run from cron and beside a worker."""
    from . import delivery

    outcome = delivery.run_pass(max_wait=max_wait)
    summary = ", ".join(f"{key}: {value}" for key, value in sorted(outcome.items())) or "nothing due"
    click.echo(f"SMS pass done ({summary})")


commands = [sms_group]
