"""The scheduled jobs ``jumin worker`` runs: the table of docs/operations.md ("Scheduled jobs").

Each job is a management command with its arguments, a default schedule
(:mod:`jumin.core.schedule`) and the settings it needs: a job whose link is not configured
is left out (the worker says so when it starts) instead of failing every tick.  The setting
``JUMIN_WORKER_SCHEDULE`` (or the environment variable of that name, a JSON object) changes
the schedule of a job by name, e.g. ``{"jukinet.reconcile": "monthly 5 03:00",
"archive-removed": "off"}``."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command

from jumin.core.schedule import Schedule, parse


@dataclass(frozen=True)
class Job:
    """``run`` does the work and returns its summary (counts, no personal data); it raises
    when the run failed."""

    name: str
    schedule: Schedule
    run: Callable[[], str]
    command: str = ""
    requires: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Entry:
    name: str
    command: tuple[str, ...]
    schedule: str
    description: str
    requires: tuple[str, ...] = ()


# The timetable (docs/operations.md is written from it: `jumin worker --list`).
TIMETABLE: tuple[Entry, ...] = (
    Entry("jukinet.send", ("jukinet", "send"), "every 60s", "住基ネット: 本人確認情報の作成と送信、転入通知の送信"),
    Entry("jukinet.receive", ("jukinet", "receive"), "every 60s", "住基ネット: 転入通知・転出証明書情報の受信"),
    Entry("kiosk.sync", ("kiosk", "sync"), "every 60s", "コンビニ交付: 証明書発行サーバの連携データの更新"),
    Entry("cards.send", ("cards", "send"), "every 5m", "個人番号カード: 送付先情報・カードの事象の送信"),
    Entry("cards.receive", ("cards", "receive"), "every 5m", "個人番号カード: カードの事象の受信"),
    Entry(
        "applications.import",
        ("applications", "import"),
        "every 5m",
        "電子申請: 申請データの取り込み",
        ("JUMIN_EAPPLICATION_URL",),
    ),
    Entry(
        "applications.send",
        ("applications", "send"),
        "every 5m",
        "電子申請: 処理状況の送信",
        ("JUMIN_EAPPLICATION_URL",),
    ),
    Entry(
        "number-exchange.run",
        ("number_exchange", "run"),
        "every 5m",
        "中間サーバー: 副本の更新、符号の取得、情報照会への回答",
        ("JUMIN_PROVISION_NETWORK_URL",),
    ),
    Entry(
        "koseki.sync",
        ("koseki", "sync"),
        "every 5m",
        "戸籍: 附票記載事項通知の送信、本籍地からの通知の受信",
        ("JUMIN_KOSEKI_URL",),
    ),
    Entry(
        "immigration.pull",
        ("immigration", "pull"),
        "every 5m",
        "出入国在留管理庁: 法務省通知の受信",
        ("JUMIN_IMMIGRATION_URL",),
    ),
    Entry(
        "immigration.send",
        ("immigration", "send"),
        "every 5m",
        "出入国在留管理庁: 市町村通知の送信",
        ("JUMIN_IMMIGRATION_URL",),
    ),
    Entry(
        "audit.checkpoint",
        ("audit", "checkpoint"),
        "hourly :05",
        "監査ログ: 署名付きチェックポイントの書き出し",
        ("JUMIN_AUDIT_CHECKPOINT_KEY",),
    ),
    Entry(
        "retention.run",
        ("retention", "run"),
        "daily 01:00",
        "保存期間を過ぎた記録の消去（規則は jumin retention rules）",
    ),
    Entry("sessions.clear", ("clearsessions",), "daily 03:30", "期限切れのログインセッションの削除"),
    Entry(
        "audit.verify",
        ("audit", "verify", "--require-checkpoint"),
        "daily 05:00",
        "監査ログ: ハッシュチェーンとチェックポイントの検査",
        ("JUMIN_AUDIT_CHECKPOINT_KEY",),
    ),
    Entry(
        "kiosk.reconcile",
        ("kiosk", "reconcile"),
        "daily 06:00",
        "コンビニ交付: 前日分の証明書交付センターとの照合",
        ("JUMIN_KONBINI_CENTER_URL",),
    ),
    Entry(
        "jukinet.reconcile",
        ("jukinet", "reconcile"),
        "monthly 1 03:00",
        "住基ネット: 整合性確認（都道府県の定める日に合わせて変更）",
        ("JUMIN_PREFECTURE_URL",),
    ),
    Entry("archive-removed", ("archive_removed",), "yearly 06-01 01:00", "除票: 5年を過ぎたものを除票DBへ移す"),
)


def configured(name: str) -> bool:
    """As the links read their settings: the Django setting, else the environment variable."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return bool(str(value or "").strip())


def schedule_overrides() -> dict[str, str]:
    overrides = getattr(settings, "JUMIN_WORKER_SCHEDULE", None)
    if overrides is None:
        text = os.environ.get("JUMIN_WORKER_SCHEDULE", "").strip()
        overrides = json.loads(text) if text else {}
    if not isinstance(overrides, Mapping) or not all(isinstance(v, str) for v in overrides.values()):
        raise ValueError(
            'JUMIN_WORKER_SCHEDULE must be a JSON object of job name → schedule, e.g. {"cards.send": "every 2m"}'
        )
    unknown = sorted(set(overrides) - {entry.name for entry in TIMETABLE})
    if unknown:
        raise ValueError(f"JUMIN_WORKER_SCHEDULE names no such job: {', '.join(unknown)}")
    return dict(overrides)


def command_runner(command: tuple[str, ...]) -> Callable[[], str]:
    def run() -> str:
        output = io.StringIO()
        call_command(*command, stdout=output, stderr=output)
        return output.getvalue()

    return run


def timetable() -> list[Job]:
    """Every job of the timetable with its schedule (overrides applied); ScheduleError or
    ValueError for a schedule setting that cannot be read."""
    overrides = schedule_overrides()
    return [
        Job(
            name=entry.name,
            schedule=parse(overrides.get(entry.name, entry.schedule)),
            run=command_runner(entry.command),
            command="jumin " + " ".join(entry.command).replace("_", "-"),
            requires=entry.requires,
            description=entry.description,
        )
        for entry in TIMETABLE
    ]


def missing_settings(job: Job) -> list[str]:
    return [name for name in job.requires if not configured(name)]
