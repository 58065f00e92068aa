"""Brukermøte: plan, market, print, run and learn from open user meetings in many languages."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g, render_template, request, session
from flask_login import current_user

from .config import PROJECT_ROOT, load_config
from .extensions import babel, csrf, db, limiter, login_manager, migrate

__all__ = ["create_app"]

#: Domain packages, in the order their blueprints and hooks are registered.
DOMAINS = [
    "core", "auth", "meetings", "outreach", "printing", "interpreters", "sms",
    "public", "calendar", "api", "attendance",
]


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
        instance_path=str(Path(load_config()["INSTANCE_PATH"])),
    )
    app.config.update(load_config())
    if config:
        app.config.update(config)
    for step in (register_extensions, register_i18n, register_blueprints, register_templating,
                 register_errorhandlers, register_security, register_commands):
        step(app)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Rate limits and logs must see the participant's address, not the proxy's.
        count = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _tune_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True,
                     compare_type=True, render_item=_render_migration_type)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    from . import models  # noqa: F401  (registers every table)
    from .auth import sessions

    # Only the user of a live server-side session (found by auth.sessions.check_request).
    login_manager.user_loader(sessions.load_user)


def _tune_sqlite(engine) -> None:
    """Foreign keys on (cascades and RESTRICT work as on PostgreSQL); WAL so the background worker
    can write progress while a request reads; wait for a lock instead of failing at once."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _render_migration_type(type_, obj, autogen_context):
    """Migrations spell out our column types in plain SQLAlchemy, so they never import the app."""
    from sqlalchemy.types import TypeDecorator

    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl.__class__.__name__}()"
    return False


def _translation_directories() -> str:
    dirs = sorted(str(p) for p in (PROJECT_ROOT / "brukermote").glob("*/translations") if p.is_dir())
    return ";".join(dirs)


def select_ui_locale() -> str:
    from flask import has_request_context

    supported = ["nb", "en"]
    if getattr(g, "ui_locale_override", None) in supported:
        return g.ui_locale_override
    if not has_request_context():
        return "nb"  # the CLI and background workers speak the committee's language
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    if session.get("ui_locale") in supported:
        return session["ui_locale"]
    return request.accept_languages.best_match(["nb", "no", "nn", "en"], default="nb").replace("no", "nb").replace("nn", "nb")


def register_i18n(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = _translation_directories()
    babel.init_app(app, locale_selector=select_ui_locale, timezone_selector=lambda: app.config["TIMEZONE"])

    from flask_babel import refresh

    # Flask-Babel caches the locale on the app context, which outlives a request when one is
    # already pushed (the CLI, tests, a worker); each request decides its language afresh.
    app.before_request(refresh)


def register_blueprints(app: Flask) -> None:
    import importlib

    for name in DOMAINS:
        views = importlib.import_module(f".{name}.views", __name__)
        app.register_blueprint(views.bp)
        setup = getattr(views, "setup", None)
        if setup is not None:
            setup(app)


def register_templating(app: Flask) -> None:
    from . import templating

    templating.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500)
        # An anonymous visitor's 404 (a crawler's /robots.txt, a mistyped QR address) must not start a
        # session: base.html then leaves out the forms that need a CSRF token (the language switch).
        return render_template("error.html", code=code, without_session=not current_user.is_authenticated), code

    for code in (400, 403, 404, 405, 409, 413, 429, 500):
        app.errorhandler(code)(render_error)

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("error.html", code=400, csrf=True), 400

    from .auth import capabilities

    capabilities.init_app(app)  # a refused approve/send/print (CapabilityError) is a 403


def register_security(app: Flask) -> None:
    from .auth.access import require_login_unless_public

    @app.before_request
    def _forget_cached_user():
        # Flask-Login caches the user on ``g``, which lives as long as the app context; when one is
        # already pushed (tests, the CLI) it would outlive the request. Each request signs in afresh.
        g.pop("_login_user", None)

    from .auth import sessions

    app.before_request(sessions.check_request)  # server-side sessions, idle expiry, "keep me signed in"
    app.before_request(require_login_unless_public)
    from .core import confirm

    confirm.init_app(app)  # after CSRF and sign-in: an unconfirmed destructive POST is asked about on a page
    app.after_request(sessions.set_cookies)  # the remember cookie, HSTS behind HTTPS

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        return response

    @app.teardown_appcontext
    def _(exc):
        if exc is not None:
            db.session.rollback()


def register_commands(app: Flask) -> None:
    from .auth.cli import user_cli
    from .demo import demo_cli

    app.cli.add_command(user_cli)
    app.cli.add_command(demo_cli)
    for command in _domain_commands():
        app.cli.add_command(command)


def _domain_commands():
    """Each domain may expose ``commands`` (a list of click commands) in its ``cli`` module."""
    import importlib

    for name in DOMAINS:
        try:
            module = importlib.import_module(f".{name}.cli", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}.cli":
                raise
            continue
        yield from getattr(module, "commands", [])
