"""``make prod-demo``: jumin as a municipality runs it, on this machine — PostgreSQL, ``jumin serve``
(gunicorn, the production settings unchanged: HTTPS, HSTS, secure cookies, second factor),
``jumin worker`` and the simulated national systems, all over TLS.

1. Creates the database (``JUMIN_PROD_DEMO_DATABASE_URL``, default
   ``postgresql://postgres@127.0.0.1:5432/jumin_prod_demo``) when it does not exist.
2. Makes a demo certificate authority and one server certificate for 127.0.0.1/localhost
   (``<var>/tls``, :mod:`jumin.runtime.local_https`); jumin trusts that authority through
   ``SSL_CERT_FILE``, the browser is told to accept it.  The production rule jumin.E002 (https
   only to national systems) holds.
3. Starts the simulators over HTTPS (``PEERS_TLS_CERT``): 都道府県サーバ, 他市町村, 個人番号カード
   管理システム, J-LIS 個人番号生成, 情報提供ネットワークシステム.
4. ``jumin migrate``, the address dictionary, ``seed-demo --force``, a synthetic city
   (``JUMIN_PROD_DEMO_RESIDENTS``, default 2,000, once).
5. ``jumin serve`` on https://127.0.0.1:8443 (``JUMIN_PROD_DEMO_PORT``) and ``jumin worker``,
   until Ctrl-C or SIGTERM, which stop everything it started.

Runtime files (keys, TLS, logs) go to ``JUMIN_VAR_DIR`` (default ``var/prod-demo``).  The
browser test ``tests/e2e/test_prod_demo_browser.py`` starts this script on its own database and
ports.  ``--ready-file PATH`` writes the URL into PATH once the server answers ``/readyz``."""

from __future__ import annotations

import argparse
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from jumin.runtime.local_https import HOST, LocalRunError, Processes, make_tls, wait_for

ROOT = Path(__file__).resolve().parent.parent
# simulator module → (setting it answers, port offset from the base port)
SIMULATORS = {
    "prefecture": ("JUMIN_PREFECTURE_URL", 1),
    "municipality": ("JUMIN_MUNICIPALITY_URL", 2),
    "cardsystem": ("JUMIN_CARDSYSTEM_URL", 3),
    "jlis": ("JUMIN_NUMBER_SERVICE_URL", 4),
    "provision_network": ("JUMIN_PROVISION_NETWORK_URL", 5),
}


def create_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if name in {"postgres", "test", "jumin_bench", "template0", "template1", ""}:
        raise SystemExit(f"prod-demo: choose a database of its own, not {name!r}")
    command = ["createdb", "--maintenance-db=template1", "--no-password"]
    environment = {**os.environ, "PGHOST": parts.hostname or HOST, "PGPORT": str(parts.port or 5432)}
    if parts.username:
        environment["PGUSER"] = parts.username
    if parts.password:
        environment["PGPASSWORD"] = parts.password
    done = subprocess.run([*command, name], env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0 and "already exists" not in done.stderr:
        raise SystemExit(f"prod-demo: createdb {name}: {done.stderr.strip()}")


def start_simulators(
    processes: Processes, port: int, key_dir: Path, environment: dict[str, str], trust: ssl.SSLContext
) -> dict[str, str]:
    """Every simulator over HTTPS on the ports after ``port``; the settings that point at them."""
    settings: dict[str, str] = {}
    for module, (setting, offset) in SIMULATORS.items():
        simulator_port = port + offset
        argv = [sys.executable, "-m", f"peers.{module}", "--host", HOST, "--port", str(simulator_port)]
        if module != "jlis":
            argv += ["--key-dir", str(key_dir)]
        child = processes.start(module, argv, environment)
        url = f"https://{HOST}:{simulator_port}"
        wait_for(url + "/health", trust, 30, child)
        settings[setting] = url
        print(f"{module:18} {url}")
    return settings


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--ready-file", type=Path)
    args = arguments.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))

    database_url = (
        os.environ.get("JUMIN_PROD_DEMO_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/jumin_prod_demo"
    )
    port = int(os.environ.get("JUMIN_PROD_DEMO_PORT") or "8443")
    var_dir = Path(os.environ.get("JUMIN_VAR_DIR") or ROOT / "var" / "prod-demo").resolve()
    residents = os.environ.get("JUMIN_PROD_DEMO_RESIDENTS") or "2000"
    key_dir = var_dir / "jukinet"
    logs = var_dir / "logs"
    for folder in (var_dir, key_dir, logs):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    ca, certificate, key = make_tls(var_dir / "tls")
    trust = ssl.create_default_context(cafile=str(ca))

    create_database(database_url)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("JUMIN_", "DJANGO_", "PEERS_", "SSL_CERT"))}
    base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH")]))
    if os.environ.get("JUMIN_TEST_CLOCK"):
        base["JUMIN_TEST_CLOCK"] = os.environ["JUMIN_TEST_CLOCK"]
    peers = {**base, "PEERS_TLS_CERT": str(certificate), "PEERS_TLS_KEY": str(key), "JUMIN_VAR_DIR": str(var_dir)}
    jumin_environment = {
        **base,
        "DJANGO_SETTINGS_MODULE": "jumin.settings.production",
        "JUMIN_DATABASE_URL": database_url,
        "JUMIN_VAR_DIR": str(var_dir),
        "JUMIN_JUKINET_KEY_DIR": str(key_dir),
        "JUMIN_ALLOWED_HOSTS": f"{HOST},localhost",
        "JUMIN_WEBAUTHN_ORIGINS": f"https://{HOST}:{port},https://localhost:{port}",
        "SSL_CERT_FILE": str(ca),  # jumin's links trust the demo authority (and only it)
        "JUMIN_WORKER_TICK_SECONDS": os.environ.get("JUMIN_WORKER_TICK_SECONDS", "5"),
    }
    processes = Processes(logs, cwd=ROOT)
    jumin = [sys.executable, "-c", "from jumin.cli import main; main()"]
    try:
        jumin_environment.update(start_simulators(processes, port, key_dir, peers, trust))
        for step in (
            ["migrate", "--noinput"],
            ["load-address-dictionary", "--if-empty"],
            ["load-towns", "--if-empty"],
            ["seed-demo", "--force"],
            ["seed-city", "--residents", residents, "--if-empty", "--force"],
        ):
            subprocess.run([*jumin, *step], cwd=ROOT, env=jumin_environment, check=True)
        server = processes.start(
            "serve",
            [
                *jumin,
                "serve",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                "2",
                "--certfile",
                str(certificate),
                "--keyfile",
                str(key),
            ],
            jumin_environment,
        )
        url = f"https://{HOST}:{port}"
        wait_for(url + "/readyz", trust, 180, server)
        processes.start("worker", [*jumin, "worker"], jumin_environment)
        print(f"\njumin (production settings, PostgreSQL {urlsplit(database_url).path.lstrip('/')}): {url}/")
        print(f"the browser must trust {ca} (or accept the certificate); logs: {logs}")
        if args.ready_file is not None:
            args.ready_file.write_text(url, encoding="utf-8")
        while all(child.poll() is None for _, child in processes.children):
            time.sleep(1)
        stopped = [name for name, child in processes.children if child.poll() is not None]
        print(f"prod-demo: {', '.join(stopped)} stopped; see {logs}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as failed:
        return failed.returncode or 1
    except LocalRunError as failed:
        print(f"prod-demo: {failed}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        processes.stop()


if __name__ == "__main__":
    sys.exit(main())
