"""The worker (`huey_consumer brukermote.tasks.huey`, i.e. `make worker`) imports only brukermote.tasks;
every background task must be known to it, or queued print jobs and SMS would never run."""

import subprocess
import sys


def test_the_consumer_module_registers_every_task():
    code = "import brukermote.tasks as t; print(' '.join(sorted(t.huey._registry._registry)))"
    names = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "brukermote.printing.services.render_job" in names
    assert "brukermote.sms.tasks.deliver_send" in names and "brukermote.sms.tasks.send_due_sms" in names
    # Mail merges with names and addresses expire even when nobody opens a job page.
    assert "brukermote.core.tasks.expire_job_results" in names
