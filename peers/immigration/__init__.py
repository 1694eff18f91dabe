"""Simulator of 出入国在留管理庁 (the 法務省 side of 住基法30条の50 / 入管法61条の8の2): receives
jumin's 市町村通知 in order and holds the 法務省通知 addressed to jumin.

Run it with ``python -m peers.immigration --port 8771 --key-dir $JUMIN_VAR_DIR/jukinet`` and
point jumin at it with ``JUMIN_IMMIGRATION_URL=http://127.0.0.1:8771``; tests start it in a
thread with :func:`running`.  See docs/immigration.md.
"""

from peers.immigration.server import ImmigrationBook, RunningSimulator, make_demo_server, make_server, running, start

__all__ = ["ImmigrationBook", "RunningSimulator", "make_demo_server", "make_server", "running", "start"]
