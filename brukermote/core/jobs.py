"""Long work (a 500-letter mail merge, a batch of SMS) runs in huey and reports progress here."""

from __future__ import annotations

import datetime as dt
import enum
import multiprocessing
import os
import secrets
import traceback
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .models import UTCDateTime, str_enum
from .timeutil import utcnow


class JobState(enum.Enum):
    queued = "queued"
    running = "running"
    finished = "finished"
    failed = "failed"


class Job(db.Model):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unguessable handle used in URLs.
    token: Mapped[str] = mapped_column(sa.String(43), unique=True, default=lambda: secrets.token_urlsafe(24))
    #: What kind of work, e.g. "print.letters".
    kind: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    #: Human title shown on the progress page.
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    state: Mapped[JobState] = mapped_column(str_enum(JobState), default=JobState.queued)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    #: The result file under instance/jobs/, its download name and type.
    result_file: Mapped[str | None] = mapped_column(sa.String(200))
    result_name: Mapped[str | None] = mapped_column(sa.String(200))
    result_mimetype: Mapped[str | None] = mapped_column(sa.String(100))
    #: The result holds personal data: only members bound by secrecy may download it.
    personal_data: Mapped[bool] = mapped_column(default=False)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def as_dict(self) -> dict:
        return {
            "state": self.state.value,
            "done": self.done,
            "total": self.total,
            "message": self.message,
            "download": self.state == JobState.finished and bool(self.result_file),
        }


def jobs_dir() -> Path:
    path = Path(current_app.instance_path) / "jobs"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by this user only (0600; a umask only ever takes bits away).

    The bytes go to a new file created 0600 beside it (``O_EXCL``: never one somebody else made), which
    then replaces ``path`` in one step, so nobody ever reads a half-written or world-readable file."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


#: Hours a finished file with names and addresses stays downloadable (``JOB_PERSONAL_RESULT_HOURS``).
PERSONAL_RESULT_HOURS = 24


def discard_result(job: Job, message: str) -> None:
    """Delete the job's file; the job stays, saying why its file is gone."""
    if job.result_file:
        (jobs_dir() / job.result_file).unlink(missing_ok=True)
    job.result_file = None
    job.message = message[:500]


def discard_personal_results(message: str, older_than: dt.datetime | None = None) -> int:
    """Delete finished files that hold personal data (letters, envelopes, labels), all of them or those
    finished before ``older_than``. Erasure calls this: a mail merge made before it still holds the
    erased person's name and address, and which merges did cannot be told without opening them."""
    query = sa.select(Job).where(Job.personal_data.is_(True), Job.result_file.is_not(None))
    if older_than is not None:
        query = query.where(Job.finished_at < older_than)
    jobs = db.session.scalars(query).all()
    for job in jobs:
        discard_result(job, message)
    db.session.flush()
    return len(jobs)


def expire_personal_results() -> int:
    """Delete personal results older than ``JOB_PERSONAL_RESULT_HOURS``. Runs every ten minutes in the
    worker (``core.tasks.expire_job_results``) and whenever a job page is opened."""
    hours = float(current_app.config.get("JOB_PERSONAL_RESULT_HOURS", PERSONAL_RESULT_HOURS))
    shown = format(hours, "g")  # 24, not 24.0
    return discard_personal_results(
        _("The file held names and addresses and was deleted after %(hours)s hours. Make it again if you need it.",
          hours=shown),
        older_than=utcnow() - dt.timedelta(hours=hours))


def create_job(kind: str, title: str, *, total: int = 0, meeting_id=None, user=None, personal_data=False) -> Job:
    job = Job(kind=kind, title=title, total=total, meeting_id=meeting_id,
              created_by_id=getattr(user, "id", None), personal_data=personal_data)
    db.session.add(job)
    db.session.flush()
    return job


def report_progress(job_id: int, done: int, total: int | None = None, message: str = "") -> None:
    """Progress is written in its own short transaction so the browser sees it while work goes on."""
    with db.engine.begin() as conn:
        values = {"done": done, "state": JobState.running.value, "message": message}
        if total is not None:
            values["total"] = total
        conn.execute(sa.update(Job.__table__).where(Job.__table__.c.id == job_id).values(**values))


def finish_job(job: Job, data: bytes, name: str, mimetype: str, message: str = "") -> None:
    path = jobs_dir() / f"{job.token}.bin"
    write_private(path, data)  # letters, envelopes and labels hold names and addresses
    job.result_file, job.result_name, job.result_mimetype = path.name, name, mimetype
    job.state, job.finished_at = JobState.finished, utcnow()
    job.done = max(job.done, job.total)
    job.message = message
    db.session.commit()


def fail_job(job_id: int, message: str) -> None:
    db.session.rollback()
    job = db.session.get(Job, job_id)
    if job is not None:
        job.state, job.message, job.finished_at = JobState.failed, message[:500], utcnow()
        db.session.commit()


def run_isolated(job_id: int, fn, *args) -> None:
    """Run ``fn(*args)`` in a forked child process (same application context) and wait for it.

    A 500-letter mail merge builds tens of megabytes of layouts, font subsets and PDF objects; in a
    child they go back to the system when it exits, so a long-lived worker does not keep them
    (``JOBS_IN_CHILD_PROCESS``, on by default where the system can fork). If the child dies
    without finishing the job (killed, out of memory), the job is marked failed rather than left
    spinning.
    """
    if not current_app.config.get("JOBS_IN_CHILD_PROCESS", True) or not hasattr(os, "fork"):
        fn(*args)
        return
    db.session.remove()  # the child opens its own connections; none is shared across the fork
    child = multiprocessing.get_context("fork").Process(target=_child, args=(fn, args), daemon=True)
    child.start()
    child.join()
    job = db.session.get(Job, job_id)
    if job is not None and job.state in (JobState.queued, JobState.running):
        fail_job(job_id, _("The job stopped unexpectedly (exit code %(code)s). Try again.", code=child.exitcode))


def _child(fn, args) -> None:
    db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
    try:
        fn(*args)
    except BaseException:
        traceback.print_exc()
        raise
    finally:
        db.session.remove()
