"""``jumin serve [--bind HOST:PORT] [--workers N] [--check] [--no-collectstatic]``: the production
web server — gunicorn on ``jumin.wsgi:application`` with the production settings
(``DJANGO_SETTINGS_MODULE`` defaults to ``jumin.settings.production`` for this command).

Before it starts: the preflight of :mod:`jumin.runtime.preflight` (refuses insecure settings),
then ``collectstatic`` when the static sources changed since the last collection (WhiteNoise
serves ``/static/`` from ``STATIC_ROOT``), then gunicorn
replaces this process (``exec``: systemd and the container runtime see gunicorn itself).
``--check`` runs the preflight only.  The access log leaves out query strings (a search form
could carry a name there); ``/healthz`` and ``/readyz`` answer the probes."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jumin.runtime.preflight import problems

# Path without the query string (%(U)s), never the query (%(q)s) or the full request line (%(r)s).
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


STAMP = ".jumin-static-sources"


def static_sources_digest() -> str:
    """SHA-256 over the path, size and modification time of every static source file: when it
    matches the stamp ``collectstatic`` left in ``STATIC_ROOT``, collecting again (hashing and
    compressing a few megabytes) would change nothing."""
    entries = []
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def collect_static_if_changed() -> bool:
    """``collectstatic`` unless the collected files are current; True when it collected."""
    root = Path(settings.STATIC_ROOT)
    digest = static_sources_digest()
    stamp = root / STAMP
    if (root / "staticfiles.json").is_file() and stamp.is_file() and stamp.read_text(encoding="ascii") == digest:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(digest, encoding="ascii")
    return True


def default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def gunicorn_argv(
    bind: str, workers: int, forwarded_allow_ips: str, timeout: int, *, certfile: str = "", keyfile: str = ""
) -> list[str]:
    tls = ["--certfile", certfile, "--keyfile", keyfile] if certfile else []
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "jumin.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--preload",  # the production rules (jumin.wsgi) are checked once, before any worker forks
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        "30",
        "--max-requests",
        "5000",
        "--max-requests-jitter",
        "500",
        "--forwarded-allow-ips",
        forwarded_allow_ips,
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--error-logfile",
        "-",
        *tls,
    ]


class Command(BaseCommand):
    help = "本番用のウェブサーバ（gunicorn）を起動する。安全でない設定では起動しない。"
    requires_system_checks: list[str] = []  # the preflight runs them all, deployment checks included

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("JUMIN_BIND", "127.0.0.1:8000"), help="HOST:PORT")
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("JUMIN_WEB_WORKERS") or default_workers())
        )
        parser.add_argument("--timeout", type=int, default=int(os.environ.get("JUMIN_WEB_TIMEOUT") or 60))
        parser.add_argument(
            "--forwarded-allow-ips",
            default=os.environ.get("JUMIN_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            help="the TLS proxy's addresses whose X-Forwarded-Proto is trusted",
        )
        parser.add_argument(
            "--certfile", default=os.environ.get("JUMIN_TLS_CERT", ""), help="HTTPS を自ら行うときの証明書（PEM）"
        )
        parser.add_argument("--keyfile", default=os.environ.get("JUMIN_TLS_KEY", ""), help="その秘密鍵（PEM）")
        parser.add_argument("--check", action="store_true", help="起動前の検査だけを行う")
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="静的ファイルの収集を省く（イメージ作成時に済み）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        found = problems()
        if found:
            lines = "\n".join(f"  {line}" for line in found)
            raise CommandError(f"本番環境の規則を満たしていないため起動しません:\n{lines}")
        self.stdout.write("起動前の検査: 問題なし。")
        if options["check"]:
            return
        if not options["no_collectstatic"] and collect_static_if_changed():
            self.stdout.write(f"静的ファイルを {settings.STATIC_ROOT} に収集しました。")
        if bool(options["certfile"]) != bool(options["keyfile"]):
            raise CommandError("--certfile と --keyfile は両方指定してください。")
        argv = gunicorn_argv(
            options["bind"],
            options["workers"],
            options["forwarded_allow_ips"],
            options["timeout"],
            certfile=options["certfile"],
            keyfile=options["keyfile"],
        )
        scheme = "https" if options["certfile"] else "http"
        self.stdout.write(f"gunicorn: {scheme}://{options['bind']}/ （ワーカー {options['workers']}）")
        self.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606  # nosec B606 - our own interpreter, fixed arguments
