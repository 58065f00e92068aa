"""Big background jobs run in a child process of their own: its memory goes back to the system when
it exits, what it writes is seen by the worker, and a child that dies leaves a failed job, not a
spinning one."""

import os

from brukermote.core.jobs import Job, JobState, create_job, finish_job, run_isolated
from brukermote.extensions import db


def _finish_in_child(job_id, parent_pid):
    assert os.getpid() != parent_pid  # really another process
    finish_job(db.session.get(Job, job_id), b"%PDF-child", "child.pdf", "application/pdf", "Done.")


def _die(job_id):
    os._exit(3)


def test_the_childs_result_reaches_the_worker(app):
    job = create_job("print.letters", "test")
    db.session.commit()
    run_isolated(job.id, _finish_in_child, job.id, os.getpid())
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.state == JobState.finished and job.result_name == "child.pdf"


def test_a_child_that_dies_leaves_a_failed_job(app):
    job = create_job("print.letters", "test")
    db.session.commit()
    run_isolated(job.id, _die, job.id)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.state == JobState.failed and "3" in job.message
