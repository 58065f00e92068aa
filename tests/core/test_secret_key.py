"""The generated SECRET_KEY: workers starting at once agree on one key (else a session signed by one
is refused by the next), and production refuses to start without SECRET_KEY set."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from brukermote import config

WORKERS = 30

# No SECRET_KEY and no production signal in the starting workers' environment.
_NOT_PRODUCTION = ("SECRET_KEY", "BRUKERMOTE_ENV", "FLASK_ENV", "SERVER_SOFTWARE")


def _start(instance: str, barrier, results) -> None:
    import os

    for name in _NOT_PRODUCTION:
        os.environ.pop(name, None)
    barrier.wait()  # everyone reads the empty folder at the same moment
    try:
        results.put(config._secret_key(Path(instance)))
    except BaseException as exc:  # a failure is a result too: the test says which
        results.put(f"error: {exc!r}")


def _start_all(instance: Path) -> list[str]:
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(WORKERS), context.Queue()
    workers = [context.Process(target=_start, args=(str(instance), barrier, results)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    keys = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    return keys


def test_thirty_workers_starting_at_once_agree_on_one_key(tmp_path, monkeypatch):
    for name in _NOT_PRODUCTION:
        monkeypatch.delenv(name, raising=False)
    instance = tmp_path / "fresh-instance"  # not even the folder exists yet
    keys = _start_all(instance)
    assert len(keys) == WORKERS
    assert all(len(key) == 64 for key in keys), keys  # never empty, never an error
    assert len(set(keys)) == 1
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == keys[0]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in instance.iterdir()) == ["secret_key"]  # no candidate left behind
    # The next start reads the same key.
    assert config._secret_key(instance) == keys[0]


@pytest.mark.parametrize("signal", [("BRUKERMOTE_ENV", "production"), ("FLASK_ENV", "production"),
                                    ("SERVER_SOFTWARE", "gunicorn/23.0.0")])
def test_production_without_secret_key_refuses_to_start(tmp_path, monkeypatch, signal):
    for name in _NOT_PRODUCTION:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRUKERMOTE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv(*signal)
    with pytest.raises(config.ConfigError, match="SECRET_KEY is not set"):
        config.load_config()
    assert not (tmp_path / "secret_key").exists()
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert config.load_config()["SECRET_KEY"] == "from-the-environment"


def test_under_gunicorn_detected_by_its_module(tmp_path, monkeypatch):
    import sys
    import types

    for name in _NOT_PRODUCTION:
        monkeypatch.delenv(name, raising=False)
    assert not config.production()
    monkeypatch.setitem(sys.modules, "gunicorn", types.ModuleType("gunicorn"))
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config._secret_key(tmp_path)


def test_a_development_start_still_generates_and_keeps_a_key(tmp_path, monkeypatch):
    for name in _NOT_PRODUCTION:
        monkeypatch.delenv(name, raising=False)
    first = config._secret_key(tmp_path)
    assert len(first) == 64 and config._secret_key(tmp_path) == first
