"""The controlled clock of the test suite, carried into every Python process a test starts.

``tests/conftest.py`` puts this directory on ``PYTHONPATH`` and sets ``JUMIN_TEST_CLOCK`` to
"<controlled instant, ISO 8601> <operating-system time at that instant, seconds>".  Python
imports ``sitecustomize`` at start-up, so a simulator, a benchmark child or a ``jumin`` command
started by a test runs on the same clock as the test — signed messages carry timestamps the
other side accepts, and dates agree — whatever the wall clock says.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta

_CLOCK = os.environ.get("JUMIN_TEST_CLOCK", "")
if _CLOCK:
    import time_machine

    _instant, _started = _CLOCK.split()
    _now = datetime.fromisoformat(_instant) + timedelta(seconds=time.time() - float(_started))
    time_machine.travel(_now, tick=True).start()
