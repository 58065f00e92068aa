"""Exactly once with real worker processes: killed halfway and restarted, or two at the same time.

The worker is ``brukermote sms send-due`` in a separate process, with the twilio backend pointed at the
fake Twilio API in this process, on the same database (a SQLite file or the PostgreSQL test database).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from brukermote.extensions import db
from brukermote.sms.models import MessageStatus, SendKind, SendStatus, SmsMessage, SmsSend
from tests.printing.helpers import make_meeting

from .conftest import ACTOR, add_contacts, due_reminder, twilio_settings

BATCH = 200
BRUKERMOTE = str(Path(sys.executable).with_name("brukermote"))


def _env(app, fake, **extra) -> dict:
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(twilio_settings(fake))
    env.update({
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "HUEY_BACKEND": "memory",
        "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
        "SMS_PASS_MAX_WAIT": "0",
        "SECRET_KEY": "test-secret",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _worker(env, log) -> subprocess.Popen:
    return subprocess.Popen([BRUKERMOTE, "sms", "send-due"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _statuses() -> Counter:
    db.session.expire_all()
    return Counter(db.session.scalars(sa.select(SmsMessage.status)).all())


def test_a_worker_killed_halfway_and_restarted_sends_each_message_exactly_once(app, fake, tmp_path):
    meeting = make_meeting()
    contacts = add_contacts(BATCH)
    due_reminder(meeting)
    env = _env(app, fake)
    fake.block_at = BATCH // 2  # the 100th request is received, then the worker dies waiting for the answer
    log = tmp_path / "worker.log"
    worker = _worker(env, log.open("wb"))
    try:
        assert _wait_for(lambda: len(fake.posts) >= BATCH // 2), log.read_text()
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert worker.returncode == -signal.SIGKILL
    fake.release()
    assert len(fake.posts) == BATCH // 2
    halfway = _statuses()
    assert halfway[MessageStatus.sent] == BATCH // 2 - 1
    assert halfway[MessageStatus.sending] == 1  # the one in flight when the worker died
    assert halfway[MessageStatus.pending] == BATCH - BATCH // 2

    restarted = subprocess.run([BRUKERMOTE, "sms", "send-due"], env=env, capture_output=True, text=True, timeout=120)
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr

    posts = fake.posts
    assert len(posts) == BATCH, "exactly 200 requests reached the API"
    per_number = Counter(p.form["To"] for p in posts)
    assert set(per_number) == {c.phone for c in contacts} and set(per_number.values()) == {1}
    after = _statuses()
    assert after[MessageStatus.sent] == BATCH - 1 and after[MessageStatus.sending] == 1

    # Later, once that row is stale, it is settled by looking it up at Twilio: found, so not resent.
    settled = subprocess.run([BRUKERMOTE, "sms", "send-due"], env=_env(app, fake, SMS_STALE_AFTER=0),
                             capture_output=True, text=True, timeout=120)
    assert settled.returncode == 0, settled.stdout + settled.stderr
    assert len(fake.posts) == BATCH
    final = _statuses()
    assert final == Counter({MessageStatus.sent: BATCH})
    sids = db.session.scalars(sa.select(SmsMessage.provider_sid)).all()
    assert len(set(sids)) == BATCH and {m["sid"] for m in fake.created} == set(sids)
    assert db.session.scalar(sa.select(SmsSend.status)) == SendStatus.done


def test_two_workers_at_once_send_each_message_exactly_once(app, fake, tmp_path):
    meeting = make_meeting()
    add_contacts(BATCH)
    due_reminder(meeting)
    env = _env(app, fake)
    logs = [tmp_path / f"worker{n}.log" for n in range(2)]
    workers = [_worker(env, log.open("wb")) for log in logs]
    for worker in workers:
        worker.wait(timeout=120)
    assert [w.returncode for w in workers] == [0, 0], [log.read_text() for log in logs]
    posts = fake.posts
    assert len(posts) == BATCH
    assert set(Counter(p.form["To"] for p in posts).values()) == {1}
    assert _statuses() == Counter({MessageStatus.sent: BATCH})


def _redis_answers() -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_a_send_queued_by_the_web_is_sent_by_a_real_huey_consumer(app, fake, tmp_path, storage):
    """Queue through huey (SQLite storage by default, Redis with REDIS_URL) and let the documented
    worker, ``huey_consumer brukermote.tasks.huey``, send it."""
    from brukermote.sms import services
    from brukermote.sms.models import Audience

    if storage == "redis" and not _redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    meeting = make_meeting()
    add_contacts(5)
    send = services.send_now(meeting, SendKind.manual, Audience.consented, actor=ACTOR)
    db.session.commit()
    env = _env(app, fake, BRUKERMOTE_INSTANCE_PATH=tmp_path, HUEY_NAME=f"brukermote-test-{uuid.uuid4().hex}")
    env.pop("HUEY_BACKEND")
    if storage == "redis":
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    enqueue = subprocess.run([sys.executable, "-c",
                              f"from brukermote.sms.tasks import deliver_send; deliver_send({send.id})"],
                             env=env, capture_output=True, text=True, timeout=60)
    assert enqueue.returncode == 0, enqueue.stderr
    assert (tmp_path / "huey.db").exists() == (storage == "sqlite")
    assert fake.posts == []  # queued, not sent
    log = tmp_path / "consumer.log"
    consumer = subprocess.Popen([str(Path(sys.executable).with_name("huey_consumer")), "brukermote.tasks.huey",
                                 "-w", "1"], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        assert _wait_for(lambda: len(fake.posts) == 5, timeout=60), log.read_text()
        assert _wait_for(lambda: _send_status(send.id) == SendStatus.done, timeout=30), log.read_text()
    finally:
        os.killpg(consumer.pid, signal.SIGINT)
        try:
            consumer.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(consumer.pid, signal.SIGKILL)
        if storage == "redis":  # leave the shared Redis as we found it
            import redis

            store = redis.Redis.from_url(env["REDIS_URL"])
            keys = store.keys("huey.*" + env["HUEY_NAME"].replace("-", "") + "*")
            if keys:
                store.delete(*keys)
    time.sleep(0.2)
    assert len(fake.posts) == 5


def _send_status(send_id):
    db.session.expire_all()
    return db.session.scalar(sa.select(SmsSend.status).where(SmsSend.id == send_id))
