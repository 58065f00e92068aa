"""Sessions that end when they should (ASVS V3): server-side records behind the signed cookie.

The Flask session cookie is signed, not secret, and replaying a copy of it used to work for as
long as the browser kept it. Now it carries a random session secret whose hash must name a live
``UserSession``; signing out, a new password and a deactivated account end the record, and the copy
with it. "Keep me signed in" is a second random secret in a cookie of its own, rotated each time it
starts a session and never valid for more than 30 days — Flask-Login's own remember cookie (the user
id, signed: the same value at every sign-in, for a year) is no longer issued nor accepted.

One indexed look-up per request (the record joined with its user); ``last_seen_at`` is written at
most once a minute. The check runs at the start of each request, before anything else touches the
database, so committing that touch never commits a view's half-done work.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
import secrets

import sqlalchemy as sa
from flask import current_app, g, request, session
from flask_login import login_user, logout_user

from ..core.timeutil import utcnow
from ..extensions import db
from .models import User, UserSession

#: Key in the Flask session holding the session secret.
SID_KEY = "_sid"
#: Key in the Flask session telling the sign-in page why the member was signed out.
REASON_KEY = "_signed_out"
REMEMBER_COOKIE = "brukermote_remember"
#: Flask-Login's cookie, issued before server-side sessions: deleted wherever it still shows up.
LEGACY_REMEMBER_COOKIE = "remember_token"
REMEMBER_DAYS = 30
TOUCH_EVERY = dt.timedelta(minutes=1)
#: Ended records are kept this long so a replayed cookie can be told why; then deleted at sign-in.
KEEP_ENDED = dt.timedelta(days=REMEMBER_DAYS)


class EndReason(enum.StrEnum):
    logout = "logout"            # signed out in that browser
    device = "device"            # signed out from the profile's list of devices
    everywhere = "everywhere"    # "sign out everywhere"
    password = "password"        # the password was changed or reset
    deactivated = "deactivated"  # the account was deactivated
    idle = "idle"                # no request for SESSION_IDLE_MINUTES
    expired = "expired"          # "keep me signed in" reached its 30 days


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def device_summary(user_agent: str) -> str:
    """ "Firefox on Windows" from a User-Agent header: enough to recognise one's own devices."""
    browsers = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                ("Safari/", "Safari"))
    systems = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
               ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))
    browser = next((name for marker, name in browsers if marker in user_agent), "")
    system = next((name for marker, name in systems if marker in user_agent), "")
    if browser and system:
        return f"{browser} / {system}"
    return (browser or system or re.sub(r"[^\w./ -]", "", user_agent)[:40]).strip()


def idle_limit() -> dt.timedelta:
    return dt.timedelta(minutes=int(current_app.config.get("SESSION_IDLE_MINUTES", 480)))


# -- starting and ending ---------------------------------------------------------------------------


def start(user: User, *, remember: bool = False) -> UserSession:
    """Sign ``user`` in on this browser with a new server-side session (and token if ``remember``).

    Flushes; the view commits. A session secret the browser had before is never reused, so a cookie
    planted before signing in (session fixation) stays signed out.
    """
    now = utcnow()
    # The member's own ended records, kept for the sign-in page's "why", expire here.
    db.session.execute(sa.delete(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at < now - KEEP_ENDED))
    sid = secrets.token_urlsafe(32)
    record = UserSession(user=user, sid_hash=_hash(sid), created_at=now, last_seen_at=now,
                         device=device_summary(request.headers.get("User-Agent", "")))
    if remember:
        record.remember_until = now + dt.timedelta(days=REMEMBER_DAYS)
        _issue_remember_token(record)
    db.session.add(record)
    db.session.flush()
    _sign_in_browser(user, sid, record)
    return record


def _issue_remember_token(record: UserSession) -> None:
    token = secrets.token_urlsafe(32)
    record.previous_remember_hash = record.remember_hash
    record.remember_hash = _hash(token)
    g.remember_cookie = (token, record.remember_until)


def _sign_in_browser(user: User, sid: str, record: UserSession) -> None:
    session.pop(REASON_KEY, None)
    login_user(user, remember=False)  # never Flask-Login's year-long cookie
    session[SID_KEY] = sid
    g.user_session = record


def end(record: UserSession, reason: EndReason) -> None:
    if record.ended_at is None:
        record.ended_at, record.end_reason = utcnow(), reason.value


def end_all(user: User, reason: EndReason) -> int:
    """End every session and "keep me signed in" token of ``user``; how many were live. Flushes."""
    result = db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason.value)
        .execution_options(synchronize_session="fetch"))
    return result.rowcount


def sign_out_here(reason: EndReason = EndReason.logout) -> None:
    """End this browser's session on the server and in the browser (cookies included)."""
    record = current()
    if record is not None:
        end(record, reason)
    logout_user()
    session.pop(SID_KEY, None)
    g.user_session = None
    g.clear_remember_cookie = True


def current() -> UserSession | None:
    return g.get("user_session")


def live_sessions(user: User) -> list[UserSession]:
    """The member's devices for the profile page: sessions not ended, newest first."""
    now, idle = utcnow(), idle_limit()
    rows = db.session.scalars(sa.select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)).order_by(UserSession.last_seen_at.desc()))
    return [row for row in rows if _why_not_live(row, user, now, idle) is None]


# -- every request ---------------------------------------------------------------------------------


def _why_not_live(record: UserSession, user: User, now: dt.datetime, idle: dt.timedelta) -> EndReason | None:
    if record.ended_at is not None:
        return EndReason(record.end_reason or EndReason.logout)
    if not user.is_active_member:
        return EndReason.deactivated
    remembered = record.remember_until is not None and record.remember_until > now
    if record.remember_until is not None and not remembered:
        return EndReason.expired
    if now - record.last_seen_at > idle and not remembered:
        return EndReason.idle
    return None


def check_request() -> None:
    """before_request: find this browser's live session, or start the next one from its token."""
    g.user_session = None
    if request.endpoint == "static":
        return
    now, idle = utcnow(), idle_limit()
    sid = session.get(SID_KEY)
    if sid:
        row = db.session.execute(sa.select(UserSession, User).join(User, UserSession.user_id == User.id)
                                 .where(UserSession.sid_hash == _hash(sid))).first()
        if row is None:
            _forget_browser(EndReason.logout)
        else:
            record, user = row
            reason = _why_not_live(record, user, now, idle)
            if reason is None and now - record.last_seen_at > idle:
                # Idle, but kept signed in: the token below starts a fresh session on this record.
                _forget_browser(None)
            elif reason is None:
                if str(record.user_id) != str(session.get("_user_id")):
                    _forget_browser(EndReason.logout)
                    return
                g.user_session = record
                if now - record.last_seen_at >= TOUCH_EVERY:
                    record.last_seen_at = now
                    db.session.commit()
                return
            else:
                if record.ended_at is None:
                    end(record, reason)
                    db.session.commit()
                _forget_browser(reason)
                g.clear_remember_cookie = True
                return
    token = request.cookies.get(REMEMBER_COOKIE)
    if token:
        _restore(token, now, idle)
    elif sid and SID_KEY not in session and REASON_KEY not in session:
        session[REASON_KEY] = EndReason.idle.value  # kept signed in elsewhere, idle in this browser


def _forget_browser(reason: EndReason | None) -> None:
    for key in ("_user_id", "_fresh", "_id", SID_KEY):
        session.pop(key, None)
    if reason is not None:
        session[REASON_KEY] = reason.value
    g.pop("_login_user", None)


def _restore(token: str, now: dt.datetime, idle: dt.timedelta) -> None:
    """ "Keep me signed in": a live token starts a new session on its record and is replaced."""
    digest = _hash(token)
    row = db.session.execute(
        sa.select(UserSession, User).join(User, UserSession.user_id == User.id)
        .where(sa.or_(UserSession.remember_hash == digest, UserSession.previous_remember_hash == digest))).first()
    if row is None:
        g.clear_remember_cookie = True
        return
    record, user = row
    if record.remember_hash != digest:
        # Already rotated: most likely a second tab of the same browser that set off at the same
        # moment with the old cookie; the first tab's answer carries the new one. Left alone.
        return
    reason = _why_not_live(record, user, now, idle)
    if reason is not None:
        if record.ended_at is None:
            end(record, reason)
            db.session.commit()
        session[REASON_KEY] = reason.value
        g.clear_remember_cookie = True
        return
    sid = secrets.token_urlsafe(32)
    record.sid_hash, record.last_seen_at = _hash(sid), now
    record.device = device_summary(request.headers.get("User-Agent", ""))
    _issue_remember_token(record)
    db.session.commit()
    _sign_in_browser(user, sid, record)


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: only the user of the live session that ``check_request`` found."""
    record = g.get("user_session")
    if record is None or str(record.user_id) != str(user_id):
        return None
    return record.user


def set_cookies(response):
    """after_request: write or delete the remember cookie; drop Flask-Login's old one; HSTS."""
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    cookie = g.pop("remember_cookie", None)
    if cookie is not None:
        token, until = cookie
        response.set_cookie(REMEMBER_COOKIE, token, expires=until, secure=secure, httponly=True,
                            samesite="Lax", path="/")
    elif g.pop("clear_remember_cookie", False) and REMEMBER_COOKIE in request.cookies:
        response.delete_cookie(REMEMBER_COOKIE, path="/", secure=secure, httponly=True, samesite="Lax")
    if LEGACY_REMEMBER_COOKIE in request.cookies:
        response.delete_cookie(LEGACY_REMEMBER_COOKIE, path="/")
    if secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if g.get("user_session") is not None:
        # A shared office PC: after signing out, Back must not show the last member's pages.
        response.headers.setdefault("Cache-Control", "no-store")
    return response
