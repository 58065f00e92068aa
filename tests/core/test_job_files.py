"""Mail-merge results on disk: readable by the app's user only, and gone after
JOB_PERSONAL_RESULT_HOURS even if nobody opens a job page (the worker deletes them)."""

from __future__ import annotations

import datetime as dt
import os
import stat

import sqlalchemy as sa

from brukermote.core import jobs
from brukermote.core.timeutil import utcnow
from brukermote.extensions import db


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_finished_mail_merges_are_written_0600_whatever_the_umask(app):
    old = os.umask(0)  # the most permissive umask: a plain write_bytes would make the file 0666
    try:
        job = jobs.create_job("print.letters", "Brev", total=1, personal_data=True)
        jobs.finish_job(job, b"Aase Oedegaard, Veitvetveien 12", "brev.pdf", "application/pdf")
        path = jobs.jobs_dir() / job.result_file
        assert _mode(path) == 0o600
        assert path.read_bytes() == b"Aase Oedegaard, Veitvetveien 12"
        # Written again (a retried job), it is still private and holds the new bytes; no temporary file is left.
        jobs.finish_job(job, b"second", "brev.pdf", "application/pdf")
        assert _mode(path) == 0o600 and path.read_bytes() == b"second"
        assert not [p.name for p in jobs.jobs_dir().iterdir() if p.name.endswith(".tmp")]
    finally:
        os.umask(old)


def test_the_worker_deletes_expired_personal_results_without_anyone_looking(app):
    from brukermote.core.tasks import expire_job_results

    assert app.config["JOB_PERSONAL_RESULT_HOURS"] == 24
    old_letters = jobs.create_job("print.letters", "Brev", total=1, personal_data=True)
    jobs.finish_job(old_letters, b"names", "brev.pdf", "application/pdf")
    fresh_labels = jobs.create_job("print.labels", "Etiketter", total=1, personal_data=True)
    jobs.finish_job(fresh_labels, b"names", "etiketter.pdf", "application/pdf")
    old_poster = jobs.create_job("print.poster", "Plakat", total=1)
    jobs.finish_job(old_poster, b"%PDF poster", "plakat.pdf", "application/pdf")
    for job in (old_letters, old_poster):
        job.finished_at = utcnow() - dt.timedelta(hours=25)
    db.session.commit()
    old_path = jobs.jobs_dir() / old_letters.result_file

    # The periodic task's body, as the consumer runs it (huey calls the wrapped function).
    assert expire_job_results.call_local() == 1
    db.session.expire_all()
    assert not old_path.exists()
    letters = db.session.get(jobs.Job, old_letters.id)
    assert letters.result_file is None and "slettet etter 24 timer" in letters.message
    assert db.session.get(jobs.Job, fresh_labels.id).result_file is not None  # not yet 24 hours old
    assert db.session.get(jobs.Job, old_poster.id).result_file is not None  # no personal data in a poster


def test_the_hours_come_from_the_setting(app, monkeypatch):
    from brukermote.config import ConfigError, load_config

    monkeypatch.setenv("JOB_PERSONAL_RESULT_HOURS", "2")
    assert load_config()["JOB_PERSONAL_RESULT_HOURS"] == 2
    app.config["JOB_PERSONAL_RESULT_HOURS"] = 2.0
    job = jobs.create_job("print.letters", "Brev", total=1, personal_data=True)
    jobs.finish_job(job, b"names", "brev.pdf", "application/pdf")
    job.finished_at = utcnow() - dt.timedelta(hours=3)
    db.session.commit()
    assert jobs.expire_personal_results() == 1
    assert "slettet etter 2 timer" in db.session.scalar(sa.select(jobs.Job.message).where(jobs.Job.id == job.id))
    monkeypatch.setenv("JOB_PERSONAL_RESULT_HOURS", "soon")
    try:
        load_config()
    except ConfigError as exc:
        assert "JOB_PERSONAL_RESULT_HOURS" in str(exc)
    else:
        raise AssertionError("a setting that is not a number must stop the start")
