"""Counter work by keyboard (issue 17): keystrokes and page loads of one movement.

Runs the browser test ``tests/e2e/test_family_by_keyboard.py`` (a 転入 of a family of three,
keyboard only, in Debian's chromium against a live server) in a child process and reports the
figures it prints.  It needs the source checkout with its tests and the development
dependencies (``make .venv/.installed-dev``); the figures do not depend on ``--residents``."""

from __future__ import annotations

import os
import re
import subprocess  # nosec B404 - runs this checkout's own test with the same interpreter
import sys
from collections.abc import Iterable
from pathlib import Path

from jumin.bench_harness import Context, Figure, scenario

NAME = "counter_keyboard"
TEST = Path(__file__).resolve().parents[3] / "tests" / "e2e" / "test_family_by_keyboard.py"
FIGURE = re.compile(r"転入（3人）: keystrokes (\d+), page loads (\d+)")


@scenario(NAME, "窓口: 3人世帯の転入をキーボードだけで入力（キー操作数・画面読込数、ブラウザ）", default_residents=0)
def counter_keyboard(ctx: Context) -> Iterable[Figure]:
    if not TEST.exists():
        raise RuntimeError(f"{NAME} needs the source checkout with its tests ({TEST} is missing)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TEST.parents[2] / "src"), str(TEST.parents[2])])}
    for name in ("JUMIN_DATABASE_URL", "DJANGO_SETTINGS_MODULE", "JUMIN_VAR_DIR"):  # the test makes its own
        env.pop(name, None)
    done = subprocess.run(  # noqa: S603  # nosec B603 - fixed argv
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", str(TEST)],
        cwd=TEST.parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    found = FIGURE.search(done.stdout)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"{NAME}: the browser test did not pass:\n{done.stdout[-2000:]}")
    yield Figure(NAME, "move_in_family_of_3_keystrokes", float(found[1]), "keys")
    yield Figure(NAME, "move_in_family_of_3_page_loads", float(found[2]), "pages")
