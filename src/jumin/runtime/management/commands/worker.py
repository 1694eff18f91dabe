"""``jumin worker [--once] [--list] [--status] [--only JOB …]``: the scheduled jobs of
docs/operations.md on their schedules (see :mod:`jumin.runtime.worker`).

Without options it runs until SIGTERM or Ctrl-C; ``--once`` makes one pass and exits (status 1
when a job failed), ``--list`` prints the timetable, ``--status`` the latest run of each job.
Like ``jumin serve`` it refuses to start when the installation breaks a production rule
(jumin.E001, jumin.E002)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jumin.conf.checks import refuse_to_start
from jumin.core.schedule import ScheduleError
from jumin.runtime.jobs import Job, missing_settings, timetable
from jumin.runtime.models import JobRun
from jumin.runtime.worker import RAN_FAILED, Worker


class Command(BaseCommand):
    help = "定時処理（住基ネットの送受信、削除、整合性確認など）を予定どおりに実行する。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="1回だけ実行して終了する（失敗があれば終了コード 1）")
        parser.add_argument("--list", action="store_true", help="処理の一覧と予定を表示する")
        parser.add_argument("--status", action="store_true", help="各処理の最後の実行結果を表示する")
        parser.add_argument("--only", nargs="+", metavar="JOB", help="この処理だけを実行する")
        parser.add_argument("--tick", type=float, help="見回りの間隔（秒、既定 JUMIN_WORKER_TICK_SECONDS）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            jobs = timetable()
        except (ScheduleError, ValueError) as error:
            raise CommandError(f"JUMIN_WORKER_SCHEDULE: {error}") from None
        if options["list"]:
            self._list(jobs)
            return
        if options["status"]:
            self._status(jobs)
            return
        try:
            refuse_to_start()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if options["only"]:
            unknown = sorted(set(options["only"]) - {job.name for job in jobs})
            if unknown:
                raise CommandError(f"そのような処理はありません: {', '.join(unknown)}（jumin worker --list）")
            jobs = [job for job in jobs if job.name in options["only"]]
        enabled = []
        for job in jobs:
            missing = missing_settings(job)
            if missing:
                self.stdout.write(f"{job.name}: {', '.join(missing)} が未設定のため実行しません。")
            elif job.schedule.kind != "off":
                enabled.append(job)
        worker = Worker(enabled)
        if options["once"]:
            outcomes = worker.tick()
            for outcome in outcomes:
                self.stdout.write(f"{outcome.job}: {outcome.status}")
            if any(outcome.status == RAN_FAILED for outcome in outcomes):
                raise CommandError("失敗した処理があります（jumin worker --status）。")
            return
        stop = threading.Event()
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stop.set())
        interval = options["tick"] or float(getattr(settings, "JUMIN_WORKER_TICK_SECONDS", 15))
        worker.run_forever(interval, stop)

    def _list(self, jobs: list[Job]) -> None:
        for job in jobs:
            missing = missing_settings(job)
            state = f"  （{', '.join(missing)} が未設定: 実行しない）" if missing else ""
            self.stdout.write(f"{job.name:28} {job.schedule.text:20} {job.command}{state}")

    def _status(self, jobs: list[Job]) -> None:
        for job in jobs:
            last = JobRun.objects.filter(job=job.name).order_by("-started_at").first()
            if last is None:
                self.stdout.write(f"{job.name:28} 未実行")
                continue
            started = f"{timezone.localtime(last.started_at):%Y-%m-%d %H:%M:%S}"
            ended = f"{timezone.localtime(last.finished_at):%Y-%m-%d %H:%M:%S}" if last.finished_at else "-"
            self.stdout.write(f"{job.name:28} {last.result:12} {started} → {ended}")
