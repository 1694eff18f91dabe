"""Scenario ``reconciliation``: 整合性確認 against a full CS file (DESIGN.md §7: ≤ 30 s and
≤ 300 MB RSS at 1,000,000 residents).

On the configured database: seeds the synthetic city when the register is empty
(``--residents``), runs ``jumin jukinet initial-load`` when 本人確認情報 are missing (both are
kept: they are the bench's data), writes the prefecture's copy — our current records as
telegram bodies, with ``PLANTED`` deliberate differences of each kind — to a private temporary
directory, starts the 都道府県サーバ simulator (``python -m peers.prefecture --copy``) as a
SEPARATE process (its memory is not ours), and runs the reconciliation in a child process that
reports its own peak RSS (VmHWM of its process image after exec; ``os.wait4``'s ru_maxrss
would include this parent's pages at the fork), so the seeding and the copy do not count.
Inside a transaction (the test suite) the child could not see the rows: the reconciliation then
runs in this process and the peak RSS is sampled from /proc during it (figure ``rss_mode`` 1 =
child process, 0 = in-process).  The figures ``found_*`` must equal ``planted_*``.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import socket
import subprocess  # nosec B404 - the simulator and the child are our own Python modules
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

from jumin.audit.context import acting_as
from jumin.bench_harness import Context, Figure, scenario
from jumin.jukinet.initial_load import initial_load, missing_count
from jumin.jukinet.models import BODY_FIELDS, IdentityRecord
from jumin.jukinet.reconciliation import KEY_FILE, current_records, reconcile, reconciliation_key, refresh_digests
from jumin.linkage import signing
from jumin.registry.models import Resident
from jumin.registry.numbers import open_individual_number
from jumin.registry.seeding import seed_city

NAME = "reconciliation"
PLANTED = 3
ROOT = Path(__file__).resolve().parents[3]  # the checkout: peers/ lives beside src/


def _copy(path: Path, planted: int) -> dict[str, int]:
    """Our current records as the prefecture holds them (NDJSON telegram bodies), with
    ``planted`` records left out, ``planted`` changed and ``planted`` extra ones."""
    total = current_records().count()
    step = max(1, total // (2 * planted + 1)) if total else 1
    left_out = changed = 0
    columns = (*BODY_FIELDS, "individual_number_ct", "atena_no")
    rows = current_records().order_by("resident_code").values_list(*columns)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        for index, values in enumerate(rows.iterator(chunk_size=5000)):
            body = {
                name: value.isoformat() if hasattr(value, "isoformat") else value
                for name, value in zip(BODY_FIELDS, values, strict=False)
            }
            if values[-2]:
                body["individual_number"] = open_individual_number(values[-2], values[-1])
            body["idempotency_key"] = body["request_no"]
            if index % step == 0 and left_out < planted:
                left_out += 1
                continue
            if changed < planted and (index % step == 1 or step == 1):
                changed += 1
                kind = changed % 3
                if kind == 1:
                    body["address"] = f"{body['address']}（相違）"
                elif kind == 2:
                    body["name"] = f"{body['name']}（相違）"
                else:
                    body["individual_number"] = "000000000000"
            handle.write(json.dumps(body, ensure_ascii=False) + "\n")
        extra = 0
        for serial in range(planted):
            code = f"99{serial:09d}"
            if IdentityRecord.objects.filter(resident_code=code).exists():
                continue
            extra += 1
            body = dict.fromkeys(BODY_FIELDS, "")
            body.update(resident_code=code, name="都道府県のみ", update_seq=0, request_no=f"bench:{serial}")
            handle.write(json.dumps(body, ensure_ascii=False) + "\n")
    return {"only_at_cs": left_out, "differs": changed, "only_at_prefecture": extra}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _simulator(key_dir: Path, copy: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "peers.prefecture", "--port", str(port), "--key-dir", str(key_dir)]
    process = subprocess.Popen(  # noqa: S603  # nosec B603 - fixed argv
        [*command, "--copy", str(copy)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 1800
        while True:
            if process.poll() is not None:
                raise RuntimeError("the prefecture simulator stopped (is peers/ beside src/?)")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2):  # noqa: S310  # nosec B310 - loopback
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


CHILD = """
import json, os, sys, time
import django
django.setup()
from jumin.audit.context import acting_as
from jumin.jukinet.reconciliation import reconcile
start = time.perf_counter()
with acting_as(channel="batch", operator="jumin bench reconciliation"):
    result = reconcile()
seconds = time.perf_counter() - start
with open("/proc/self/status", encoding="ascii") as status:  # VmHWM: this process image's own peak
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "records": result.records, "peak_kb": peak, **result.counts}))
"""


def _in_child(key_dir: Path, url: str) -> tuple[dict[str, Any], float]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "jumin.settings.dev"),
        "JUMIN_JUKINET_KEY_DIR": str(key_dir),
        "JUMIN_PREFECTURE_URL": url,
    }
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen([sys.executable, "-c", CHILD], env=env, stdout=out)  # noqa: S603  # nosec B603
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().decode().strip().splitlines()
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"reconciliation child failed ({process.returncode})")
    found = json.loads(lines[-1])
    # ru_maxrss of a child counts the parent's pages at the fork (Linux keeps the high-water mark
    # across exec), so the child reports its own VmHWM; ru_maxrss is the fallback
    return found, float(found.get("peak_kb") or usage.ru_maxrss) / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


def _in_process(key_dir: Path, url: str) -> tuple[dict[str, Any], float]:
    peak = [_rss_mb()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], _rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    try:
        with override_settings(JUMIN_JUKINET_KEY_DIR=str(key_dir), JUMIN_PREFECTURE_URL=url):
            result = reconcile()
    finally:
        done.set()
        sampler.join()
    return {"seconds": time.perf_counter() - start, "records": result.records, **result.counts}, peak[0]


@scenario(
    NAME,
    "整合性確認（本人確認情報 全件, 都道府県サーバ simulator は別プロセス）; --residents = 住民数",
    default_residents=10_000,
)
def reconciliation(ctx: Context) -> Iterable[Figure]:
    figures: list[Figure] = []
    with acting_as(channel="batch", operator="jumin bench reconciliation"):
        if not Resident.objects.exists():
            start = time.perf_counter()
            seed_city(ctx.residents, seed=ctx.seed)
            figures.append(Figure(NAME, "seed_city", round(time.perf_counter() - start, 3), "s"))
        if missing_count():
            start = time.perf_counter()
            loaded = initial_load()
            seconds = time.perf_counter() - start
            figures.append(Figure(NAME, "initial_load", round(seconds, 3), "s"))
            figures.append(Figure(NAME, "initial_load_records", loaded.created, "rows"))
        # the digests are stored with each record as it is written; rows written before that
        # (or under another key) get theirs now — a one-off, reported apart from the run
        start = time.perf_counter()
        refreshed = refresh_digests()
        if refreshed:
            figures.append(Figure(NAME, "refresh_digests", round(time.perf_counter() - start, 3), "s"))
            figures.append(Figure(NAME, "refresh_digests_records", refreshed, "rows"))
    shared = reconciliation_key()  # the key shared with the prefecture
    with tempfile.TemporaryDirectory(prefix="jumin-reconcile-") as temporary:
        key_dir = Path(temporary) / "keys"
        key_dir.mkdir(mode=0o700)
        (key_dir / KEY_FILE).write_text(base64.urlsafe_b64encode(shared).decode() + "\n", encoding="ascii")
        (key_dir / KEY_FILE).chmod(0o600)
        with override_settings(JUMIN_JUKINET_KEY_DIR=str(key_dir)):
            signing.own_key()
            reconciliation_key()
        start = time.perf_counter()
        planted = _copy(Path(temporary) / "prefecture-copy.ndjson", PLANTED)
        figures.append(Figure(NAME, "write_copy", round(time.perf_counter() - start, 3), "s"))
        start = time.perf_counter()
        with _simulator(key_dir, Path(temporary) / "prefecture-copy.ndjson") as url:
            figures.append(Figure(NAME, "simulator_load", round(time.perf_counter() - start, 3), "s"))
            child = not connection.in_atomic_block and not _memory_database()
            found, rss = (_in_child if child else _in_process)(key_dir, url)
    figures += [
        Figure(NAME, "wall", round(found["seconds"], 3), "s"),
        Figure(NAME, "peak_rss", round(rss, 1), "MB"),
        Figure(NAME, "rss_mode", 1 if child else 0, "ratio"),
        Figure(NAME, "records", found["records"], "rows"),
    ]
    for kind in ("only_at_cs", "only_at_prefecture", "differs"):
        figures.append(Figure(NAME, f"planted_{kind}", planted[kind], "rows"))
        figures.append(Figure(NAME, f"found_{kind}", found[kind], "rows"))
    figures.append(
        Figure(NAME, "parent_max_rss", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "MB")
    )
    return figures


def _memory_database() -> bool:
    name = str(settings.DATABASES["default"].get("NAME", ""))
    return connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name)
