"""``make bench``: speed, memory and size of printing (targets from the printables issue) and reports.

- the 13 posters: median seconds per poster (target < 0.3 s);
- the mail merge for 500 contacts in mixed languages: letters + envelopes + label sheets, seconds
  (target < 15 s), peak memory of the process (target < 400 MB), letters PDF size (target < 10 MB);
- the reports page and the Table 1 PDF over ten generated years (200 meetings), with the number of
  SQL queries the page needs (it must not grow with the number of meetings);
- a batch of 500 SMS through the twilio library against the fake Twilio API (exactly-once
  bookkeeping included: a claim and a result committed per message);
- our PDFs against a plain ReportLab document made in the same run (``bench_consumers``): PDF
  consumers (Ghostscript, poppler, MuPDF) per page, file size, the mail merge's time per page and
  memory, a poster against a plain page — each as a ratio, with its target and PASS/FAIL.

Each figure is measured in a fresh process so caches and memory from one do not flatter another.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("HUEY_BACKEND", "memory")
os.environ.setdefault("BRUKERMOTE_INSTANCE_PATH", tempfile.mkdtemp(prefix="brukermote-bench-"))


def _actor():
    """The services take the acting user (issue 16); the benchmark acts as the system."""
    from brukermote.auth.capabilities import SystemActor

    return SystemActor("benchmark")


def _app():
    from tests.conftest import make_app, reset_database

    # final prints need an address a phone can open, as in tests/printing/conftest.py
    app = make_app(f"sqlite:///{os.environ['BRUKERMOTE_INSTANCE_PATH']}/bench.db",
                   PUBLIC_BASE_URL="https://brukermote.bjerke.example")
    reset_database(app)
    return app


def posters() -> dict:
    from brukermote.printing import services
    from tests.printing.helpers import ALL_LANGUAGES, make_meeting

    with _app().app_context():
        meeting = make_meeting()
        timings, sizes = {}, {}
        for code in ALL_LANGUAGES:
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                pdf, _report = services.render(meeting, services.PrintRequest(document="poster", language=code))
                runs.append(time.perf_counter() - start)
            timings[code] = statistics.median(runs)
            sizes[code] = len(pdf)
    return {"poster_median_s": statistics.median(timings.values()), "poster_max_s": max(timings.values()),
            "per_language_s": timings, "poster_kb": {k: v // 1024 for k, v in sizes.items()}}


def mail_merge() -> dict:
    from brukermote.printing import services
    from tests.printing.helpers import make_contacts, make_meeting

    with _app().app_context():
        meeting = make_meeting()
        contacts = make_contacts(500)
        ids = [c.id for c in contacts]
        start = time.perf_counter()
        letters, _ = services.render(meeting, services.PrintRequest(document="letters", contact_ids=ids),
                                  actor=_actor())
        t_letters = time.perf_counter() - start
        envelopes, _ = services.render(meeting, services.PrintRequest(document="envelopes", contact_ids=ids),
                                    actor=_actor())
        labels, _ = services.render(meeting, services.PrintRequest(document="labels", contact_ids=ids),
                                    actor=_actor())
        total = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mail_merge_s": total, "letters_s": t_letters, "peak_rss_mb": peak_mb,
            "letters_mb": len(letters) / 1e6, "envelopes_mb": len(envelopes) / 1e6, "labels_mb": len(labels) / 1e6}


def reports() -> dict:
    """The reports page and the Table 1 PDF over a generated history of 200 meetings (ten years)."""
    import sqlalchemy as sa

    from brukermote.extensions import db
    from tests.attendance.test_trends import generate
    from tests.conftest import _user, login

    app = _app()
    with app.app_context():
        generate(200)
        _user("bench@example.org", admin=True)
        db.session.commit()
        client = app.test_client()
        login(client, "bench@example.org")
        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *_a: statements.append(1))
        runs = []
        for _ in range(3):
            statements.clear()
            start = time.perf_counter()
            assert client.get("/reports").status_code == 200
            runs.append(time.perf_counter() - start)
        queries = len(statements)
        start = time.perf_counter()
        pdf = client.get("/reports/overview?format=pdf&lang=en").data
        t_pdf = time.perf_counter() - start
    return {"reports_s": statistics.median(runs), "reports_queries": queries, "overview_pdf_s": t_pdf,
            "overview_pdf_kb": len(pdf) // 1024}


def sms() -> dict:
    """A batch of 500 SMS through the real twilio Client to the fake Twilio API on 127.0.0.1."""
    from brukermote.extensions import db
    from brukermote.sms import delivery, services
    from brukermote.sms.models import Audience, SendKind
    from tests.printing.helpers import make_meeting
    from tests.sms.conftest import add_contacts, twilio_settings
    from tests.sms.fake_twilio import FakeTwilio

    fake = FakeTwilio().start()
    app = _app()
    app.config.update(twilio_settings(fake))
    try:
        with app.app_context():
            meeting = make_meeting()
            add_contacts(500)
            send = services.send_now(meeting, SendKind.manual, Audience.consented, actor=_actor())
            db.session.commit()
            start = time.perf_counter()
            delivery.run_pass([send.id])
            seconds = time.perf_counter() - start
        posts = len(fake.posts)
    finally:
        fake.stop()
    return {"sms_s": seconds, "sms_posts": posts}


def main() -> None:
    parts = {"posters": posters, "mail_merge": mail_merge, "reports": reports, "sms": sms}
    if len(sys.argv) > 1:
        print(json.dumps(parts[sys.argv[1]]()))
        return
    results = {}
    for part in parts:
        out = subprocess.run([sys.executable, "-m", "tests.benchmarks", part], capture_output=True, text=True, check=True)
        results.update(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"posters (13 languages): median {results['poster_median_s']:.3f} s, slowest {results['poster_max_s']:.3f} s"
          f"  [target < 0.3 s]")
    for code, seconds in results["per_language_s"].items():
        print(f"  {code:8s} {seconds:.3f} s  {results['poster_kb'][code]} KB")
    print(f"mail merge, 500 contacts: {results['mail_merge_s']:.1f} s (letters {results['letters_s']:.1f} s)"
          f"  [target < 15 s]")
    print(f"peak memory: {results['peak_rss_mb']:.0f} MB  [target < 400 MB]")
    print(f"letters PDF: {results['letters_mb']:.1f} MB  [target < 10 MB]; envelopes {results['envelopes_mb']:.1f} MB, "
          f"labels {results['labels_mb']:.1f} MB")
    print(f"reports page, 200 meetings: {results['reports_s']:.2f} s, {results['reports_queries']} SQL queries"
          f"  [target < 2 s; queries independent of the number of meetings]")
    print(f"Table 1 PDF, 200 meetings: {results['overview_pdf_s']:.2f} s, {results['overview_pdf_kb']} KB")
    print(f"SMS batch of 500 (twilio Client → fake API on 127.0.0.1, one worker): {results['sms_s']:.1f} s, "
          f"{results['sms_posts']} requests ({results['sms_posts'] / results['sms_s']:.0f}/s)")
    from tests.benchmarks import bench_consumers

    bench_consumers.main()


if __name__ == "__main__":
    main()
