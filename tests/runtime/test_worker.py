"""``jumin worker``: the timetable, runs recorded, failures retried, and one job never run by two
workers at once (PostgreSQL advisory locks, SQLite lock files)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.db import connection

from jumin.core.schedule import parse
from jumin.runtime.jobs import TIMETABLE, Job, timetable
from jumin.runtime.locks import advisory_key, job_lock
from jumin.runtime.models import JobRun
from jumin.runtime.worker import BUSY, NOT_DUE, RAN_FAILED, RAN_OK, Worker

ROOT = Path(__file__).resolve().parents[2]


def _job(name: str, run: Callable[[], str], schedule: str = "daily 02:30") -> Job:
    return Job(name=name, schedule=parse(schedule), run=run)


# -- the timetable -----------------------------------------------------------------------------


def test_every_job_of_the_timetable_is_a_command_that_takes_its_arguments() -> None:
    commands = get_commands()
    for entry in TIMETABLE:
        name, *arguments = entry.command
        assert name in commands, entry.name
        parser = load_command_class(commands[name], name).create_parser("jumin", name)
        parser.parse_args(arguments)  # exits (SystemExit) on an argument the command does not take


def test_job_names_and_their_lock_keys_are_unique() -> None:
    names = [entry.name for entry in TIMETABLE]
    assert len(set(names)) == len(names)
    assert len({advisory_key(name) for name in names}) == len(names)


def test_the_schedule_table_of_the_operations_guide_is_what_the_worker_runs() -> None:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = text.split("## Scheduled jobs", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z.\-]+)` \| `([^`]+)` \| `([^`]+)` \|", section, flags=re.MULTILINE)
    assert [(name, schedule, command) for name, schedule, command in rows] == [
        (job.name, job.schedule.text, job.command) for job in timetable()
    ]


def test_schedules_are_changed_by_name_and_a_bad_one_is_refused(settings: Any) -> None:
    settings.JUMIN_WORKER_SCHEDULE = {"jukinet.reconcile": "monthly 5 03:00", "archive-removed": "off"}
    by_name = {job.name: job for job in timetable()}
    assert by_name["jukinet.reconcile"].schedule.text == "monthly 5 03:00"
    assert by_name["archive-removed"].schedule.kind == "off"
    settings.JUMIN_WORKER_SCHEDULE = {"no-such-job": "daily 01:00"}
    with pytest.raises(CommandError, match="no-such-job"):
        call_command("worker", "--list")
    settings.JUMIN_WORKER_SCHEDULE = {"cards.send": "sometimes"}
    with pytest.raises(CommandError, match="is not a schedule"):
        call_command("worker", "--list")


def test_a_job_whose_link_is_not_configured_is_left_out(settings: Any) -> None:
    settings.JUMIN_EAPPLICATION_URL = ""
    out = StringIO()
    call_command("worker", "--list", stdout=out)
    listed = out.getvalue()
    assert re.search(r"applications\.import .*JUMIN_EAPPLICATION_URL が未設定", listed)
    assert re.search(r"^jukinet\.send +every 60s +jumin jukinet send$", listed, flags=re.MULTILINE)


# -- runs --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_due_job_runs_once_and_its_run_is_recorded() -> None:
    calls: list[int] = []

    def work() -> str:
        calls.append(1)
        return "3件送信しました。"

    worker = Worker([_job("test.work", work, "every 5m")], name="w1")
    assert [o.status for o in worker.tick()] == [RAN_OK]
    assert [o.status for o in worker.tick()] == [NOT_DUE]  # the next slot is five minutes on
    (run,) = JobRun.objects.filter(job="test.work")
    assert (run.result, run.output, run.worker) == ("ok", "3件送信しました。", "w1")
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert calls == [1]


@pytest.mark.django_db
def test_a_calendar_job_waits_for_its_slot() -> None:
    worker = Worker([_job("test.daily", lambda: "", "daily 02:30")])
    assert [o.status for o in worker.tick()] == [NOT_DUE]  # the test clock is 09:00
    assert not JobRun.objects.exists()


@pytest.mark.django_db
def test_a_failed_job_is_recorded_and_retried_at_the_next_tick_and_the_worker_goes_on() -> None:
    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise CommandError("都道府県サーバに接続できません（jukinet.unavailable） 123456789012")
        return "送信しました。"

    other: list[int] = []
    worker = Worker(
        [_job("test.flaky", flaky, "every 60s"), _job("test.other", lambda: str(other.append(1)), "every 60s")]
    )
    assert [o.status for o in worker.tick()] == [RAN_FAILED, RAN_OK]
    failed = JobRun.objects.get(job="test.flaky")
    assert failed.result == "failed"
    assert "CommandError: 都道府県サーバに接続できません（jukinet.unavailable）" in failed.output
    assert "123456789012" not in failed.output  # a 12-digit run is masked like in every log
    # the next tick: a failed job is due again at once, whatever its schedule
    assert [o.status for o in worker.tick()] == [RAN_OK, NOT_DUE]
    assert list(JobRun.objects.filter(job="test.flaky").order_by("started_at").values_list("result", flat=True)) == [
        "failed",
        "ok",
    ]


@pytest.mark.django_db
def test_a_job_that_exits_is_a_failure_not_the_end_of_the_worker() -> None:
    def leaves() -> str:
        raise SystemExit(3)

    assert [o.status for o in Worker([_job("test.exit", leaves, "every 60s")]).tick()] == [RAN_FAILED]
    assert JobRun.objects.get(job="test.exit").output == "SystemExit: 3"


@pytest.mark.django_db
def test_a_run_cut_off_by_a_stopped_worker_is_marked_interrupted_and_run_again() -> None:
    JobRun.objects.create(job="test.cut", worker="gone:1")  # still "running": its worker died
    assert [o.status for o in Worker([_job("test.cut", lambda: "ok", "daily 02:30")]).tick()] == [RAN_OK]
    results = list(JobRun.objects.filter(job="test.cut").order_by("started_at").values_list("result", flat=True))
    assert results == ["interrupted", "ok"]


# -- two workers -------------------------------------------------------------------------------


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # never leave a thread waiting


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_job_at_once(release: threading.Event) -> None:
    """Worker A is inside the job (holding its lock) when worker B looks: B skips it; when A
    has finished, B finds it not due.  The job ran once."""
    started = threading.Event()
    runs: list[str] = []

    def slow() -> str:
        runs.append(threading.current_thread().name)
        started.set()
        assert release.wait(timeout=30)
        return "done"

    job = _job("test.slow", slow, "every 60s")
    outcome: list[str] = []

    def worker_a() -> None:
        try:
            outcome.extend(o.status for o in Worker([job], name="A").tick())
        finally:
            connection.close()

    thread = threading.Thread(target=worker_a, name="A")
    thread.start()
    assert started.wait(timeout=30)
    b = Worker([job], name="B")
    assert [o.status for o in b.tick()] == [BUSY]
    release.set()
    thread.join(timeout=30)
    assert outcome == [RAN_OK]
    assert [o.status for o in b.tick()] == [NOT_DUE]
    assert runs == ["A"]
    assert list(JobRun.objects.values_list("worker", "result")) == [("A", "ok")]


@pytest.mark.django_db(transaction=True)
def test_workers_starting_together_run_a_job_once(release: threading.Event) -> None:
    """Two workers tick at the same moment (PostgreSQL: concurrent sessions)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL (SQLite's shared in-memory test database locks whole tables)")
    barrier = threading.Barrier(2)
    runs: list[str] = []
    outcomes: dict[str, list[str]] = {}

    def once() -> str:
        runs.append(threading.current_thread().name)
        assert release.wait(timeout=30)
        return "done"

    job = _job("test.once", once, "every 60s")

    def work(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            statuses = [o.status for o in Worker([job], name=name).tick()]
            outcomes[name] = statuses
            if statuses != [RAN_OK]:
                release.set()  # the other one holds the job: let it finish
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,), name=n) for n in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(runs) == 1
    assert sorted(status for statuses in outcomes.values() for status in statuses) == [BUSY, RAN_OK]
    assert JobRun.objects.filter(job="test.once").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_lock_is_held_by_one_session_at_a_time() -> None:
    got: list[bool] = []
    inside = threading.Event()
    leave = threading.Event()

    def holder() -> None:
        try:
            with job_lock("test.lock") as held:
                got.append(held)
                inside.set()
                leave.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert inside.wait(timeout=30)
    with job_lock("test.lock") as second:
        assert second is False
    leave.set()
    thread.join(timeout=30)
    with job_lock("test.lock") as third:
        assert third is True
    assert got == [True]


# -- the command -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_worker_once_runs_the_due_jobs_and_records_them(settings: Any) -> None:
    settings.JUMIN_PREFECTURE_URL = ""
    settings.JUMIN_CARDSYSTEM_URL = ""
    out = StringIO()
    call_command("worker", "--once", "--only", "jukinet.send", "cards.send", stdout=out)
    assert "jukinet.send: ok" in out.getvalue() and "cards.send: ok" in out.getvalue()
    runs = dict(JobRun.objects.values_list("job", "result"))
    assert runs == {"jukinet.send": "ok", "cards.send": "ok"}
    assert "本人確認情報を0件作成しました" in JobRun.objects.get(job="jukinet.send").output
    status = StringIO()
    call_command("worker", "--status", stdout=status)
    assert re.search(r"^jukinet\.send +ok ", status.getvalue(), flags=re.MULTILINE)


@pytest.mark.django_db
def test_worker_refuses_to_start_with_an_insecure_link(settings: Any) -> None:
    settings.JUMIN_PREFECTURE_URL = "http://prefecture.example.lg.jp"
    with pytest.raises(CommandError, match=r"jumin\.E002"):
        call_command("worker", "--once")
    assert not JobRun.objects.exists()
