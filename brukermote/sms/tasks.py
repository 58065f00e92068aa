"""Background work for SMS (huey): a send queued from the web page, and a pass every minute.

The web request only writes an ``SmsSend`` row and enqueues ``deliver_send``; the consumer
(``make worker`` = ``huey_consumer brukermote.tasks.huey``, or the one inside ``brukermote dev``) does
the sending. Scheduled reminders are picked up by ``send_due_sms`` every minute, or by cron running
``brukermote sms send-due``.
"""

from __future__ import annotations

from huey import crontab

from ..tasks import app_periodic_task, app_task, huey  # noqa: F401  (`huey_consumer brukermote.sms.tasks.huey`)


@app_task()
def deliver_send(send_id: int) -> dict:
    from . import delivery

    return dict(delivery.run_pass([send_id]))


@app_periodic_task(crontab(minute="*"))
def send_due_sms() -> dict:
    from . import delivery

    return dict(delivery.run_pass())
