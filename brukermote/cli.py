"""The ``brukermote`` console script: Flask's commands (run, db, shell) plus the project's own."""

from __future__ import annotations

import os

import click
from flask.cli import FlaskGroup


def _create_app():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def cli():
    """Brukermøte: plan and run open user meetings."""


@cli.command("dev")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--workers", default=2, type=int, help="Background worker threads.")
def dev(host, port, workers):
    """Run the development server with a background worker in the same process."""
    import threading

    from huey.consumer import Consumer
    from werkzeug.serving import is_running_from_reloader, run_simple

    # Links and QR codes must point at this server unless a public address is configured.
    if host not in ("0.0.0.0", "::"):
        os.environ.setdefault("PUBLIC_BASE_URL", f"http://{host}:{port}")

    from . import create_app
    from .tasks import huey

    app = create_app()
    if not is_running_from_reloader():
        consumer = Consumer(huey, workers=workers, worker_type="thread", check_worker_health=False)
        # The consumer installs signal handlers, which only the main thread may do; skip them.
        consumer._set_signal_handlers = lambda: None
        threading.Thread(target=consumer.run, daemon=True, name="huey-consumer").start()
    run_simple(host, port, app, use_reloader=False, threaded=True)
