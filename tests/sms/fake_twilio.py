"""A fake Twilio REST API on 127.0.0.1 for the real ``twilio`` Client to talk to.

POST /2010-04-01/Accounts/<sid>/Messages.json creates a message (201) unless a script says otherwise;
GET of the same path lists created messages (filtered by To). Every request is recorded with its form
body and basic-auth user. Scripts per number: a list of answers consumed in order, each ``201``,
``(400, 21211)``, ``(429, None)``, ``(500, None)``, ``("slow", seconds)`` (created at once, answered
late), ``("hang", seconds)`` (answered late, nothing created: the request got lost in Twilio) or
``"garbage"`` (created, answered 201 with a body that is not JSON). ``block_at = n`` makes the
n-th POST wait (after being recorded and created) until ``release()``, so a test can kill the worker
at a known point. ``hang = seconds`` makes *every* request (POST and GET) wait that long and create
nothing: a provider that always times out. ``on_create(message)`` is called (in the server's thread)
after a message is created and before it is answered, so a test can change the world mid-batch.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

#: Seconds between the server loop's looks at its stop flag (what ``stop()`` waits for, at most).
POLL = 0.01


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@dataclass
class Recorded:
    method: str
    path: str
    form: dict
    auth_user: str


@dataclass
class FakeTwilio:
    requests: list = field(default_factory=list)
    created: list = field(default_factory=list)
    scripts: dict = field(default_factory=dict)
    block_at: int | None = None
    hang: float = 0.0
    on_create: object = None

    def __post_init__(self):
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._ids = itertools.count(1)
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True, request_handler=_QuietHandler)
        # shutdown() waits for the loop to look at its stop flag, which it does once per poll
        # interval: socketserver's default 0.5 s cost every SMS test half a second at teardown.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": POLL},
                                       daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self._release.set()
        self.server.shutdown()
        self.server.server_close()  # the port, at once rather than when the garbage collector runs

    def release(self):
        self._release.set()

    # -- what the tests look at ---------------------------------------------------------------
    @property
    def posts(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def posts_to(self, number: str) -> list[Recorded]:
        return [r for r in self.posts if r.form.get("To") == number]

    # -- the API ---------------------------------------------------------------------------------
    def wsgi(self, environ, start_response):
        request = Request(environ)
        return self.handle(request)(environ, start_response)

    def _json(self, payload, status):
        return Response(json.dumps(payload), status=status, mimetype="application/json")

    def handle(self, request: Request) -> Response:
        auth_user = ""
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            auth_user = base64.b64decode(header[6:]).decode().split(":", 1)[0]
        parts = request.path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "2010-04-01" or parts[1] != "Accounts" or parts[3] != "Messages.json":
            return self._json({"code": 20404, "message": "not found", "status": 404}, 404)
        account = parts[2]
        if self.hang:
            with self._lock:
                self.requests.append(Recorded(request.method, request.path,
                                              request.form.to_dict() if request.method == "POST" else
                                              dict(request.args), auth_user))
            time.sleep(self.hang)
            return self._json({"code": None, "message": "too late", "status": 503}, 503)
        if request.method == "GET":
            with self._lock:
                self.requests.append(Recorded("GET", request.path, dict(request.args), auth_user))
                to = request.args.get("To")
                found = [m for m in self.created if to is None or m["to"] == to]
            return self._json({"messages": found, "next_page_uri": None, "page": 0, "page_size": 50,
                               "uri": request.path, "first_page_uri": request.path, "previous_page_uri": None,
                               "start": 0, "end": len(found)}, 200)
        form = request.form.to_dict()
        with self._lock:
            self.requests.append(Recorded("POST", request.path, form, auth_user))
            number = len([r for r in self.requests if r.method == "POST"])
            script = self.scripts.get(form.get("To"))
            answer = script.pop(0) if script else 201
        delay = 0.0
        if isinstance(answer, tuple) and answer[0] == "hang":
            time.sleep(answer[1])  # never created: the client times out, the lookup finds nothing
            return self._json({"code": None, "message": "too late", "status": 503}, 503)
        garbage = answer == "garbage"
        if garbage:
            answer = 201
        if isinstance(answer, tuple) and answer[0] == "slow":
            delay, answer = answer[1], 201  # created at once, answered late (the client times out)
        if answer != 201:
            status, code = answer
            return self._json({"code": code, "message": f"fake error {code or status}", "more_info": "",
                               "status": status}, status)
        sid = f"SM{next(self._ids):032x}"
        message = {"sid": sid, "account_sid": account, "to": form.get("To"), "from": form.get("From"),
                   "messaging_service_sid": form.get("MessagingServiceSid"), "body": form.get("Body"),
                   "status": "queued", "num_segments": "1", "direction": "outbound-api",
                   "date_created": format_datetime(dt.datetime.now(dt.UTC).replace(microsecond=0)),
                   "uri": f"{request.path[:-5]}/{sid}.json"}
        with self._lock:
            self.created.append(message)
        if self.on_create is not None:
            self.on_create(message)
        if garbage:
            return Response("<html>Bad gateway</html>", status=201, mimetype="text/html")
        if self.block_at is not None and number == self.block_at:
            self._release.wait(60)
        if delay:
            time.sleep(delay)
        return self._json(message, 201)
