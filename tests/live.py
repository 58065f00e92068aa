"""The application served over real HTTP on 127.0.0.1, for browser tests and for tests that need
requests to arrive at the same time (two tabs, a double click) as they do in an office."""

from __future__ import annotations

import threading
from collections.abc import Callable

import requests
from werkzeug.serving import make_server

from tests.conftest import PASSWORD


class LiveServer:
    """A threaded WSGI server on a free port: each request runs in its own thread, as under gunicorn
    with threads, so simultaneous requests really meet in the database."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # A short poll interval: shutdown() waits for the loop's next look at its stop flag
        # (socketserver's default is every 0.5 s, half a second per test that serves the app).
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01},
                                       daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def signed_in(server: LiveServer, email: str, password: str = PASSWORD) -> requests.Session:
    """A browser's cookie jar after signing in (one per tab shares it, as tabs do)."""
    session = requests.Session()
    response = session.post(server.url + "/login", data={"email": email, "password": password},
                            allow_redirects=False, timeout=30)
    assert response.status_code == 302, response.text[:500]
    return session


def at_the_same_time(*calls: Callable[[], requests.Response]) -> list[requests.Response]:
    """Run the calls in threads released together by a barrier; their responses, in call order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the test, not lost in a thread
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results
