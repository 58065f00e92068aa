"""``make bench-web``: the pages of issue 18 under load, beside a bare Flask endpoint.

Ten years of generated history (``demo load --years 10``) in PostgreSQL when BENCH_DATABASE_URL
answers (SQLite in a temporary directory otherwise); the app and a bare Flask "hello" each under
gunicorn with 4 workers on loopback; wrk with 16 connections for BENCH_SECONDS (15) per page; p50,
p95, p99 and requests per second, with the ratio to the bare endpoint measured in the same run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import sqlalchemy as sa

PG = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/brukermote_bench")
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
YEARS = int(os.environ.get("BENCH_YEARS", "10"))
APP_PORT, HELLO_PORT = 8781, 8782
#: A page that needs more than a quarter of this for one request is reported, not put under load.
CHECK_SECONDS = 40
LUA = """done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.requests, summary.duration, summary.errors.status + summary.errors.timeout))
end
"""


def _database() -> str:
    try:
        engine = sa.create_engine(sa.engine.make_url(PG).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            name = sa.engine.make_url(PG).database
            if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        return PG
    except Exception as exc:  # no PostgreSQL here: the same figures on SQLite
        print(f"PostgreSQL does not answer ({exc.__class__.__name__}); using SQLite.")
        return f"sqlite:///{tempfile.mkdtemp(prefix='brukermote-bench-')}/bench.db"


def _cli(env, *args) -> None:
    subprocess.run([sys.executable, "-m", "brukermote", *args], env=env, check=True)


def _prepare(env) -> None:
    _cli(env, "db", "upgrade")
    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        meetings = conn.scalar(sa.text("SELECT count(*) FROM meeting"))
    if meetings < YEARS * 12:
        _cli(env, "demo", "load", "--years", str(YEARS))


def _urls(env) -> dict[str, str]:
    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        coming = conn.execute(sa.text("SELECT id, uid FROM meeting WHERE status IN ('planned', 'published') "
                                      "ORDER BY starts_at LIMIT 1")).one()
        # The participant's page of the latest published meeting (a planned one is not public yet).
        public_uid = conn.scalar(sa.text("SELECT uid FROM meeting WHERE published_at IS NOT NULL AND status IN "
                                         "('published', 'held') ORDER BY starts_at DESC LIMIT 1"))
        held = conn.scalar(sa.text("SELECT meeting_id FROM sms_send GROUP BY meeting_id ORDER BY count(*) DESC, "
                                   "meeting_id DESC LIMIT 1"))
    return {
        "/contacts": "/contacts", "/api/v1/meetings": "/api/v1/meetings", "/ (overview)": "/",
        "a coming meeting's page": f"/meetings/{coming[0]}", "a meeting's SMS messages": f"/meetings/{held}/sms/messages",
        "a meeting's outreach page": f"/meetings/{coming[0]}/outreach", "/reports": "/reports",
        "/calendar/public.ics": "/calendar/public.ics", "/m/<id> (public)": f"/m/{public_uid}",
    }


def _serve(target: str, port: int, env) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}", "--timeout", "60",
                                "--log-level", "warning", target], env=env)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz" if "brukermote" in target
                                   else f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except Exception:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"{target} did not start on port {port}")


def _session_cookie(port: int) -> str:
    """Sign in as the demo administrator; the cookies by hand, since under gunicorn the app marks
    them Secure and a cookie jar would not send them back over plain HTTP on loopback."""
    import http.client

    def cookies_of(response, into: dict) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            into[name.strip()] = rest.split(";", 1)[0]

    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/login")
    response = conn.getresponse()
    html = response.read().decode()
    cookies_of(response, jar)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": "admin@example.org", "password": "brukermote-demo"})
    conn.request("POST", "/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    response = conn.getresponse()
    response.read()
    cookies_of(response, jar)
    if response.status != 302:
        raise SystemExit(f"signing in answered {response.status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _check(url: str, cookie: str) -> tuple[int, int, float]:
    """One request first: status, size and time (a redirect to the sign-in page is not a page). Sent
    like wrk's, without a User-Agent: a session is bound to the device that signed in."""
    import http.client

    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=CHECK_SECONDS)
    started = time.perf_counter()
    conn.request("GET", parsed.path + (f"?{parsed.query}" if parsed.query else ""),
                 headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    size = len(response.read())
    conn.close()
    return response.status, size, time.perf_counter() - started


def _wrk(url: str, cookie: str, script: str) -> tuple[float, float, float, float, int]:
    args = ["wrk", "-t", "4", "-c", "16", "-d", f"{SECONDS}s", "--timeout", "30s", "-s", script, url]
    if cookie:
        args[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    p50, p95, p99, count, duration, errors = map(int, re.search(r"RESULT (.*)", out).group(1).split())
    return p50 / 1000, p95 / 1000, p99 / 1000, count / (duration / 1e6), errors


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install wrk)")
    env = dict(os.environ, DATABASE_URL=_database(), RATELIMIT_ENABLED="0", HUEY_BACKEND="memory",
               BRUKERMOTE_ENV="", SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-use"))
    if not os.environ.get("BENCH_PREPARED"):  # set to measure an older checkout on the same data
        _prepare(env)
    urls = _urls(env)
    script = os.path.join(tempfile.mkdtemp(prefix="brukermote-wrk-"), "report.lua")
    with open(script, "w") as handle:
        handle.write(LUA)
    app = _serve("brukermote:create_app()", APP_PORT, env)
    hello = _serve("tests.benchmarks.hello:app", HELLO_PORT, env)
    try:
        cookie = _session_cookie(APP_PORT)
        base = _wrk(f"http://127.0.0.1:{HELLO_PORT}/", "", script)
        print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'vs hello':>9} {'one request':>12}")
        print(f"{'bare Flask hello':32} {base[0]:8.1f} {base[1]:8.1f} {base[2]:8.1f} {base[3]:8.0f} {'100 %':>9}")
        for label, path in urls.items():
            public = path.startswith(("/api", "/calendar", "/m/"))
            url = f"http://127.0.0.1:{APP_PORT}{path}"
            try:
                status, size, took = _check(url, "" if public else cookie)
            except OSError:
                print(f"{label:32} no answer within {CHECK_SECONDS} s: not loaded")
                continue
            if status != 200:
                print(f"{label:32} answered {status}: not measured")
                continue
            if took > CHECK_SECONDS / 4:
                # Sixteen clients at once would only make the workers time out (as on main before issue 18).
                print(f"{label:32} one request took {took:.1f} s ({size // 1024} KB): not loaded")
                continue
            p50, p95, p99, rate, errors = _wrk(url, "" if public else cookie, script)
            note = f"  ({errors} errors)" if errors else ""
            print(f"{label:32} {p50:8.1f} {p95:8.1f} {p99:8.1f} {rate:8.1f} {100 * rate / base[3]:8.2f} % "
                  f"{took * 1000:8.0f} ms  {size // 1024} KB{note}")
    finally:
        for process in (app, hello):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a worker still busy with a slow page
                process.kill()
                process.wait()


if __name__ == "__main__":
    main()
