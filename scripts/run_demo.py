"""``make run``: the demo, end to end (settings from ``DJANGO_SETTINGS_MODULE``, jumin.settings.demo).

1. Starts the simulated 認証局 ``python -m peers.jpki --port 8768 --key-dir <住基ネット key dir>``
   as a child process (the demo's card reader; it writes ``jpki_ca.pem`` and ``jpki_crl.pem``
   into the key directory jumin trusts) and waits until it answers ``GET /health``.  The port is
   ``JUMIN_JPKI_PORT`` (default 8768); when it is taken the demo says so and runs without cards.
2. Migrates, loads the address dictionary and the 町字, seeds the demo users and (once) the
   synthetic city, then ``jumin demo-cards`` has the simulator issue cards to a few residents.
3. Serves on http://127.0.0.1:8000 (``jumin runserver``) with ``JUMIN_CARD_READER_URL`` pointing
   at the simulator, and stops the simulator when the server stops (Ctrl-C, SIGTERM, or a
   failed step).  The CRL is not fetched over ``JUMIN_JPKI_CRL_URL`` (the demo keeps the
   production rule jumin.E002: https only); instead ``jpki_crl.pem`` in the key directory is
   refreshed from the simulator's ``GET /crl.pem`` every 30 s, so it never goes stale and a card
   revoked at the simulator is refused within half a minute."""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
STEPS = [
    ["migrate", "--noinput"],
    ["load-address-dictionary", "--if-empty"],
    ["load-towns", "--if-empty"],
    ["seed-demo"],
    ["seed-city", "--residents", "10000", "--if-empty"],
]


def jukinet_key_dir() -> Path:
    """The 住基ネット key directory jumin trusts (``JUMIN_JUKINET_KEY_DIR`` or ``JUMIN_VAR_DIR/jukinet``)."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jumin.settings.demo")
    import django  # noqa: PLC0415  (after the settings module is chosen)

    django.setup()
    from jumin.linkage.signing import key_dir  # noqa: PLC0415  (needs django.setup())

    return key_dir()


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # as http.server binds (allow_reuse_address): a port left in TIME_WAIT by the last run is free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url + "/health", timeout=1) as response:
            return bool(json.loads(response.read(1024)).get("status") == "ok")
    except (OSError, ValueError):
        return False


def start_simulator(port: int, key_dir: Path) -> subprocess.Popen[bytes] | None:
    """The simulator serving at ``port``, or None (said why) when it cannot run."""
    if not port_is_free(port):
        print(
            f"\n*** ポート {port} は使用中のため、認証局シミュレータ（python -m peers.jpki）を起動できません。\n"
            f"*** Port {port} is in use: the card simulator is NOT started; the 本人確認 screen will show\n"
            f"*** no card. Free the port, or choose another: make run JUMIN_JPKI_PORT={port + 1}\n",
            file=sys.stderr,
        )
        return None
    command = [sys.executable, "-m", "peers.jpki", "--host", HOST, "--port", str(port), "--key-dir", str(key_dir)]
    child = subprocess.Popen(command, cwd=ROOT, start_new_session=True)  # Ctrl-C is ours to pass on
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if child.poll() is not None:
            print(
                f"*** 認証局シミュレータが終了しました（終了コード {child.returncode}）。カードなしで続けます。",
                file=sys.stderr,
            )
            return None
        if healthy(url):
            print(f"認証局シミュレータ（カードリーダー）: {url}  CA: {key_dir / 'jpki_ca.pem'}")
            return child
        time.sleep(0.2)
    stop(child)
    print("*** 認証局シミュレータが応答しません。カードなしで続けます。", file=sys.stderr)
    return None


def refresh_crl(url: str, key_dir: Path, every: float = 30.0) -> None:
    """Copy the simulator's live CRL into ``jpki_crl.pem`` now and then every ``every`` seconds."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    target = key_dir / "jpki_crl.pem"
    while True:
        try:
            with opener.open(url + "/crl.pem", timeout=5) as response:
                pem = response.read(1 << 20)
            if pem.startswith(b"-----BEGIN X509 CRL-----"):
                partial = target.with_suffix(".tmp")
                partial.write_bytes(pem)
                partial.replace(target)
        except OSError:
            pass  # the simulator is stopping; the file written last stays (valid for a day)
        time.sleep(every)


def serve() -> int:
    """``jumin runserver`` in its own process group: stopping it stops its autoreloader child too."""
    server = subprocess.Popen([str(BIN / "jumin"), "runserver", f"{HOST}:8000"], start_new_session=True)
    try:
        return server.wait()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def jumin(*args: str) -> None:
    subprocess.run([str(BIN / "jumin"), *args], check=True)


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    port = int(os.environ.get("JUMIN_JPKI_PORT") or "8768")
    url = f"http://{HOST}:{port}"
    key_dir = jukinet_key_dir()
    child = start_simulator(port, key_dir)
    if child is not None:
        os.environ.setdefault("JUMIN_CARD_READER_URL", url)
        threading.Thread(target=refresh_crl, args=(url, key_dir), name="crl", daemon=True).start()
    try:
        for step in STEPS:
            jumin(*step)
        if child is not None:
            try:
                jumin("demo-cards", "--url", url)
            except subprocess.CalledProcessError:
                print("*** デモ用カードを発行できませんでした（上の表示を参照）。", file=sys.stderr)
        return serve()
    except subprocess.CalledProcessError as failed:
        return failed.returncode or 1
    except KeyboardInterrupt:
        return 0
    finally:
        if child is not None:
            stop(child)


if __name__ == "__main__":
    sys.exit(main())
