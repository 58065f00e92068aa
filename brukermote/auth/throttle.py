"""How many sign-in attempts are allowed, counted alike by every worker (ASVS V2.2.1).

Two counts: per client address (``LOGIN_RATE_LIMIT``, every attempt) and per account
(``LOGIN_ACCOUNT_RATE_LIMIT``, failed attempts, whether or not the address has an account, so the
answer tells nothing). An in-process counter (Flask-Limiter's ``memory://``) gave each gunicorn worker
its own allowance; these live in Redis when ``REDIS_URL`` is set, else in the database
(``login_attempt``), which every worker shares already.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app, request
from limits import RateLimitItem, parse_many

from ..core.timeutil import utcnow
from ..extensions import db
from .models import LoginAttempt


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _limits(setting: str, default: str) -> list[RateLimitItem]:
    return parse_many(current_app.config.get(setting) or default)


def _key(kind: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _address_key() -> str:
    return _key("address", request.remote_addr or "")


def _account_key(email: str) -> str:
    return _key("account", (email or "").strip().lower())


@lru_cache(maxsize=4)
def _redis_limiter(url: str):
    from limits.storage import storage_from_string
    from limits.strategies import MovingWindowRateLimiter

    return MovingWindowRateLimiter(storage_from_string(url))


def _redis_url() -> str:
    return current_app.config.get("REDIS_URL") or ""


def _retry_after(key: str, items: list[RateLimitItem]) -> int | None:
    """Seconds until ``key`` may try again, or None if it may now."""
    url = _redis_url()
    if url:
        limiter = _redis_limiter(url)
        waits = []
        for item in items:
            if not limiter.test(item, "login", key):
                reset, _remaining = limiter.get_window_stats(item, "login", key)
                waits.append(max(1, math.ceil(reset - dt.datetime.now().timestamp())))
        return max(waits) if waits else None
    now = utcnow()
    waits = []
    for item in items:
        since = now - dt.timedelta(seconds=item.get_expiry())
        times = db.session.scalars(sa.select(LoginAttempt.at).where(
            LoginAttempt.key == key, LoginAttempt.at > since).order_by(LoginAttempt.at.desc())
            .limit(item.amount)).all()
        if len(times) >= item.amount:
            oldest_counted = times[-1]
            waits.append(max(1, math.ceil((oldest_counted + dt.timedelta(seconds=item.get_expiry()) - now)
                                          .total_seconds())))
    return max(waits) if waits else None


def _record(key: str, items: list[RateLimitItem]) -> None:
    url = _redis_url()
    if url:
        limiter = _redis_limiter(url)
        for item in items:
            limiter.hit(item, "login", key)
        return
    now = utcnow()
    longest = max((item.get_expiry() for item in items), default=0)
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < now - dt.timedelta(seconds=max(longest, 86400))))
    db.session.add(LoginAttempt(key=key, at=now))
    db.session.flush()


def refused(email: str) -> int | None:
    """Before checking a password: seconds to wait if this address or account has tried too often."""
    if not _enabled():
        return None
    waits = [_retry_after(_address_key(), _limits("LOGIN_RATE_LIMIT", "10 per minute")),
             _retry_after(_account_key(email), _limits("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes"))]
    waits = [wait for wait in waits if wait]
    return max(waits) if waits else None


def attempted(email: str, *, failed: bool) -> None:
    """Count an attempt from this address, and a failed one against the account. Flushes."""
    if not _enabled():
        return
    _record(_address_key(), _limits("LOGIN_RATE_LIMIT", "10 per minute"))
    if failed:
        _record(_account_key(email), _limits("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes"))
