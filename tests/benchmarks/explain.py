"""``make bench-web`` (second part): the ten slowest SQL statements of the benchmarked pages, with
PostgreSQL's plan, flagging a sequential scan of a table that grows with history.

Run against the benchmark database (BENCH_DATABASE_URL, filled by ``tests.benchmarks.web``).
"""

from __future__ import annotations

import os
import re
import time

import sqlalchemy as sa

from .web import PG

#: Tables whose size grows with the years the office has used the system.
GROWING = {"contact", "consent", "registration", "sms_message", "sms_send", "sms_inbound", "audit_entry",
           "meeting", "task", "mailing", "poster_hanging", "interpreter_booking", "feedback", "attendance",
           "meeting_text", "budget_line", "programme_item"}


def main() -> None:
    os.environ.setdefault("HUEY_BACKEND", "memory")
    from brukermote import create_app
    from brukermote.demo import DEMO_ADMIN
    from brukermote.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": PG, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "explain-only"})
    from .web import _urls

    urls = _urls({"DATABASE_URL": PG})
    seen: list[tuple[float, str, str, object]] = []
    with app.app_context():
        engine = db.engine

        def before(conn, cursor, statement, parameters, context, executemany):
            conn.info.setdefault("t", []).append(time.perf_counter())

        def after(conn, cursor, statement, parameters, context, executemany):
            started = conn.info["t"].pop()
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append((time.perf_counter() - started, page, statement, parameters))

        client = app.test_client()
        client.post("/login", data={"email": DEMO_ADMIN[0], "password": DEMO_ADMIN[2]})
        sa.event.listen(engine, "before_cursor_execute", before)
        sa.event.listen(engine, "after_cursor_execute", after)
        for page in urls.values():
            client.get(page)
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
        slowest: dict[str, tuple] = {}
        for row in sorted(seen, reverse=True):
            slowest.setdefault(row[2], row)
        bad = 0
        with engine.connect() as conn:
            for took, page, statement, parameters in list(slowest.values())[:10]:
                plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN ANALYZE " + statement, parameters))
                scans = sorted(set(re.findall(r"Seq Scan on (\w+)", plan)) & GROWING)
                bad += bool(scans)
                print(f"{took * 1000:7.1f} ms  {page}  {'SEQ SCAN ' + ', '.join(scans) if scans else 'index only'}")
                print("   " + " ".join(statement.split())[:220])
                for line in plan.splitlines():
                    if "Seq Scan" in line or "Index" in line:
                        print("     " + line.strip()[:150])
    print(f"{bad} of the ten slowest statements scan a growing table sequentially.")


if __name__ == "__main__":
    main()
