"""The 都道府県サーバ simulator itself: started as ``python -m peers.prefecture`` with a key
directory shared with jumin (the demo set-up), health and control endpoints."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from peers.prefecture import make_demo_server, start

ROOT = Path(__file__).resolve().parents[2]


def _call(url: str, body: Any = None, *, raw: bytes | None = None) -> tuple[int, Any]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def test_control_health_and_refusals(tmp_path: Path) -> None:
    simulator = start(make_demo_server("127.0.0.1", 0, tmp_path))
    try:
        assert (tmp_path / "prefecture_ed25519.pub").exists(), "its public key is where jumin looks"
        assert _call(simulator.url + "/health") == (200, {"status": "ok"})
        assert _call(simulator.url + "/control")[1]["down"] is False
        assert _call(simulator.url + "/control", {"down": True, "delay": 0.0})[1]["down"] is True
        assert _call(simulator.url + "/control", {"bogus": 1})[0] == 400
        assert _call(simulator.url + "/control", raw=b"not json")[0] == 400
        assert _call(simulator.url + "/elsewhere")[0] == 404
        assert _call(simulator.url + "/elsewhere", {})[0] == 404
        assert _call(simulator.url + "/identity-updates", {}) == (401, {"error": "unknown_key"}), "no key of jumin yet"
        assert _call(simulator.url + "/identity-updates", raw=b"x" * 70_000)[0] == 413
    finally:
        simulator.stop()


def test_runs_as_python_dash_m(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "peers.prefecture", "--port", "0", "--key-dir", str(tmp_path)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        url = re.search(r"JUMIN_PREFECTURE_URL=(http://\S+?)\)", line)
        assert url, line
        assert _call(url.group(1) + "/health") == (200, {"status": "ok"})
        assert (tmp_path / "prefecture_ed25519.pub").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
