"""The J-LIS 個人番号生成 simulator itself, over real HTTP (no database)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from peers.jlis import RunningSimulator, running

from jumin.core.check_digits import is_valid_individual_number

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def jlis() -> Iterator[RunningSimulator]:
    with running() as simulator:
        yield simulator


def _call(simulator: RunningSimulator, path: str, body: Any = None, *, raw: bytes | None = None) -> tuple[int, Any]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(simulator.url + path, data=data, method="POST" if data is not None else "GET")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def _code(n: int) -> str:
    return f"{n:011d}"


def test_generate_gives_one_valid_number_per_resident_code(jlis: RunningSimulator) -> None:
    numbers = {}
    for n in range(1, 201):
        status, answer = _call(jlis, "/individual-numbers/generate", {"resident_code": _code(n)})
        assert status == 200 and is_valid_individual_number(answer["individual_number"])
        numbers[_code(n)] = answer["individual_number"]
    assert len(set(numbers.values())) == 200, "unique"
    again = _call(jlis, "/individual-numbers/generate", {"resident_code": _code(7)})
    assert again == (200, {"individual_number": numbers[_code(7)]}), "the same code gets the same number"


def test_change_retires_the_old_number_and_is_idempotent(jlis: RunningSimulator) -> None:
    code = _code(90_001)
    assert _call(jlis, "/individual-numbers/change", {"resident_code": code, "request_id": "a"}) == (
        404,
        {"error": "unknown_resident_code"},
    )
    _, first = _call(jlis, "/individual-numbers/generate", {"resident_code": code})
    _, changed = _call(jlis, "/individual-numbers/change", {"resident_code": code, "request_id": "a"})
    assert changed["individual_number"] != first["individual_number"]
    assert is_valid_individual_number(changed["individual_number"])
    assert jlis.issuer.number_of(code) == changed["individual_number"]
    retry = _call(jlis, "/individual-numbers/change", {"resident_code": code, "request_id": "a"})
    assert retry == (200, changed)
    _, later = _call(jlis, "/individual-numbers/change", {"resident_code": code, "request_id": "b"})
    assert later["individual_number"] not in (first["individual_number"], changed["individual_number"])
    assert _call(jlis, "/individual-numbers/change", {"resident_code": code, "request_id": "a"}) == (
        409,
        {"error": "superseded"},
    )


@pytest.mark.parametrize(
    ("path", "body", "raw", "expected"),
    [
        ("/individual-numbers/generate", {"resident_code": "1234567890"}, None, (400, "bad_resident_code")),
        ("/individual-numbers/generate", {"resident_code": 12345678901}, None, (400, "bad_resident_code")),
        ("/individual-numbers/generate", None, b"not json", (400, "bad_request")),
        ("/individual-numbers/generate", ["12345678901"], None, (400, "bad_request")),
        ("/individual-numbers/change", {"resident_code": "12345678901"}, None, (400, "bad_request_id")),
        ("/individual-numbers/elsewhere", {"resident_code": "12345678901"}, None, (404, "not_found")),
        ("/individual-numbers/generate", None, b"x" * 5000, (413, "too_large")),
    ],
)
def test_bad_requests_are_refused(
    jlis: RunningSimulator, path: str, body: Any, raw: bytes | None, expected: tuple[int, str]
) -> None:
    status, answer = _call(jlis, path, body, raw=raw)
    assert (status, answer["error"]) == expected


def test_health_and_maintenance(jlis: RunningSimulator) -> None:
    assert _call(jlis, "/health") == (200, {"status": "ok"})
    assert _call(jlis, "/elsewhere")[0] == 404
    jlis.issuer.failing = True
    try:
        assert _call(jlis, "/individual-numbers/generate", {"resident_code": _code(5)}) == (
            503,
            {"error": "maintenance"},
        )
    finally:
        jlis.issuer.failing = False


def test_runs_as_python_dash_m() -> None:
    """``python -m peers.jlis --port 0`` serves and says where."""
    process = subprocess.Popen(
        [sys.executable, "-m", "peers.jlis", "--port", "0"], cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        url = re.search(r"JUMIN_NUMBER_SERVICE_URL=(http://\S+?)\)", line)
        assert url, line
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url.group(1) + "/health", timeout=5) as response:
            assert json.loads(response.read()) == {"status": "ok"}
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
