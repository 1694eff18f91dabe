"""``jumin worker``: runs the scheduled jobs (:mod:`jumin.runtime.jobs`) on their schedules.

Every tick (``JUMIN_WORKER_TICK_SECONDS``, default 15) the worker goes through the timetable;
for each job that is due it takes the job's lock (:mod:`jumin.runtime.locks`; busy = another
worker runs it: skipped), looks again whether the job is still due (the other worker may have
just finished it), records the start (``JobRun``), runs it in this process and records the end
and the result.  A job that fails — an exception, a refused command, a lost database
connection — is recorded as ``failed`` and is due again at the next tick; the worker itself
goes on.  A run cut off by a stopped worker is marked ``interrupted`` by the next worker that
takes the lock, and is run again.  SIGTERM (systemd stop) or SIGINT finish the running job
first."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from jumin.core.schedule import is_due
from jumin.log_redaction import redact
from jumin.runtime.jobs import Job
from jumin.runtime.locks import job_lock
from jumin.runtime.models import OUTPUT_LIMIT, JobRun

logger = logging.getLogger("jumin.worker")

RAN_OK = "ok"
RAN_FAILED = "failed"
NOT_DUE = "not_due"
BUSY = "busy"
ERROR = "error"  # the worker could not reach the database to decide or record


@dataclass(frozen=True)
class Outcome:
    job: str
    status: str


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _clip(text: str) -> str:
    text = redact(text.strip())
    return text if len(text) <= OUTPUT_LIMIT else "…" + text[-(OUTPUT_LIMIT - 1) :]


class Worker:
    def __init__(
        self,
        jobs: Sequence[Job],
        *,
        name: str | None = None,
        clock: Callable[[], datetime] = timezone.now,
    ) -> None:
        self.jobs = list(jobs)
        self.name = name or worker_name()
        self.clock = clock
        self.since = clock()

    def tick(self) -> list[Outcome]:
        """One pass over the timetable."""
        return [Outcome(job.name, self._tick(job)) for job in self.jobs]

    def run_forever(self, interval: float, stop: threading.Event) -> None:
        logger.info("worker %s started: %d jobs, tick %ss", self.name, len(self.jobs), interval)
        while not stop.is_set():
            started = time.monotonic()
            for job in self.jobs:
                if stop.is_set():
                    break
                self._tick(job)
            close_old_connections()
            stop.wait(max(0.0, interval - (time.monotonic() - started)))
        logger.info("worker %s stopped", self.name)

    # -- one job ---------------------------------------------------------------------------

    def _tick(self, job: Job) -> str:
        try:
            if not self._due(job):
                return NOT_DUE
            with job_lock(job.name) as held:
                if not held:
                    return BUSY
                self._mark_interrupted(job)
                if not self._due(job):  # another worker ran it between our look and our lock
                    return NOT_DUE
                return self._run(job)
        except DatabaseError as error:
            logger.error("worker: job %s: database error %s; retried next tick", job.name, type(error).__name__)
            connection.close()  # a broken session is opened anew at the next query
            return ERROR

    def _due(self, job: Job) -> bool:
        last = JobRun.objects.filter(job=job.name).order_by("-started_at").only("started_at", "result").first()
        return is_due(
            job.schedule,
            now=timezone.localtime(self.clock()),
            last_started=timezone.localtime(last.started_at) if last else None,
            last_failed=last is not None and last.result != JobRun.Result.OK,
            since=timezone.localtime(self.since),
        )

    def _mark_interrupted(self, job: Job) -> None:
        """We hold the lock, so a run still marked running belongs to a worker that is gone."""
        JobRun.objects.filter(job=job.name, result=JobRun.Result.RUNNING).update(
            result=JobRun.Result.INTERRUPTED, finished_at=self.clock(), output="ワーカーが停止したため中断しました。"
        )

    def _run(self, job: Job) -> str:
        run = JobRun.objects.create(job=job.name, worker=self.name, started_at=self.clock())
        began = time.monotonic()
        try:
            output = job.run()
            result = JobRun.Result.OK
        # A failed job is recorded and retried next tick; the worker must go on whatever it raised.
        except (Exception, SystemExit) as error:  # noqa: BLE001
            output = f"{type(error).__name__}: {error}"
            result = JobRun.Result.FAILED
        if connection.connection is not None and not connection.is_usable():
            connection.close()  # the job broke the session (and with it the lock): record on a new one
        JobRun.objects.filter(pk=run.pk).update(finished_at=self.clock(), result=result, output=_clip(output))
        elapsed = time.monotonic() - began
        if result == JobRun.Result.OK:
            logger.info("worker: job %s ok (%.1f s)", job.name, elapsed)
            return RAN_OK
        logger.error("worker: job %s failed (%.1f s): %s; retried next tick", job.name, elapsed, _clip(output)[-300:])
        return RAN_FAILED
