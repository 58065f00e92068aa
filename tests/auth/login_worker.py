"""One more worker process serving the app over HTTP (as gunicorn's workers are separate processes):
``python -m tests.auth.login_worker DATABASE_URL '{"CONFIG": "..."}'`` prints its address, then serves
until its standard input closes."""

from __future__ import annotations

import json
import sys

from tests.conftest import make_app
from tests.live import LiveServer

if __name__ == "__main__":
    app = make_app(sys.argv[1], **json.loads(sys.argv[2]))
    with LiveServer(app) as server:
        print(server.url, flush=True)
        sys.stdin.read()
