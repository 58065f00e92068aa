"""Expensive, rarely changing results computed once per version of the data they come from.

A result is stored under its name and a *version*: a short string from one cheap query over what
the result is made of (counts and latest ``updated_at``). Any change to that data is a new version,
so no event can be forgotten when invalidating; the version is also the HTTP ``ETag``, and a client
that has it gets ``304 Not Modified`` without the result being computed or sent.

Stored in Redis when ``REDIS_URL`` is set (shared by every worker), else in the process.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Response, current_app, request

_LOCAL: OrderedDict[str, bytes] = OrderedDict()
_LOCK = threading.Lock()
LOCAL_ENTRIES = 64
#: Redis entries live a day at most: an old version is never asked for again.
REDIS_SECONDS = 24 * 3600
_clients: dict[str, object] = {}


def _redis():
    url = current_app.config.get("REDIS_URL") or ""
    if not url:
        return None
    if url not in _clients:
        import redis

        _clients[url] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return _clients[url]


def version_of(*parts) -> str:
    """A short, stable version string (the ETag) for the values that determine a result."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def cached(name: str, version: str, compute: Callable[[], bytes]) -> bytes:
    key = f"brukermote:{name}:{version}"
    client = _redis()
    if client is not None:
        try:
            value = client.get(key)
            if value is None:
                value = compute()
                client.set(key, value, ex=REDIS_SECONDS)
            return value
        except Exception:  # Redis away: compute, as without a cache
            current_app.logger.warning("cache: Redis unavailable for %s", name)
            return compute()
    with _LOCK:
        if key in _LOCAL:
            _LOCAL.move_to_end(key)
            return _LOCAL[key]
    value = compute()
    with _LOCK:
        _LOCAL[key] = value
        while len(_LOCAL) > LOCAL_ENTRIES:
            _LOCAL.popitem(last=False)
    return value


def clear_local() -> None:
    with _LOCK:
        _LOCAL.clear()


def not_modified(version: str) -> Response | None:
    """A 304 when the client already has this version (its ``If-None-Match``), else None."""
    if request.if_none_match and request.if_none_match.contains(version):
        response = Response(status=304)
        response.set_etag(version)
        return response
    return None


def with_version(response: Response, version: str, last_modified=None, max_age: int = 0) -> Response:
    response.set_etag(version)
    if last_modified is not None:
        response.last_modified = last_modified
    # Clients may keep it, but ask again (cheaply, with the ETag) each time.
    response.headers["Cache-Control"] = f"public, max-age={max_age}, must-revalidate" if max_age else "no-cache"
    return response


def revalidated(response: Response, vary: str | None = None) -> Response:
    """HTTP caching for a public GET answer whose content is its own version: an ``ETag`` of the body,
    a 304 when the client already has it, and ``no-cache`` so clients keep it but ask again each time.
    Rendering still runs; what is saved is the transfer (a phone on a slow network, a poller of the
    API). Streamed or non-200 answers, and answers that already carry a version, are left alone."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.direct_passthrough:
        return response
    if vary:
        response.vary.add(vary)
    if response.get_etag()[0] is None:
        response.add_etag()
        response.headers.setdefault("Cache-Control", "no-cache")
    return response.make_conditional(request)
