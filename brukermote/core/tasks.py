"""Background housekeeping for jobs (huey): personal mail-merge results expire even if nobody looks.

Before this ran in the worker, a file with names and addresses was deleted only when someone opened a
job page, so it could stay on disk for weeks past ``JOB_PERSONAL_RESULT_HOURS``.
"""

from __future__ import annotations

from huey import crontab

from ..tasks import app_periodic_task


@app_periodic_task(crontab(minute="*/10"))
def expire_job_results() -> int:
    from ..extensions import db
    from .jobs import expire_personal_results

    removed = expire_personal_results()
    db.session.commit()
    return removed


@app_periodic_task(crontab(minute="*/10"))
def expire_undo_entries() -> int:
    """Snapshots of deleted rows (a registration may hold personal data) go once they cannot be undone."""
    from ..extensions import db
    from .undo import purge_expired

    removed = purge_expired()
    db.session.commit()
    return removed
