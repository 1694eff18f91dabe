"""Simulator of the 本籍地's 戸籍 and 戸籍の附票 systems: receives jumin's 附票記載事項通知 and holds
住民票記載事項通知 (住基法9条2項) and other municipalities' 附票記載事項通知 for jumin.

Run it with ``python -m peers.koseki --port 8774 --key-dir $JUMIN_VAR_DIR/jukinet`` and point jumin
at it with ``JUMIN_KOSEKI_URL=http://127.0.0.1:8774``; tests start it in a thread with
:func:`running`.  See docs/koseki.md.
"""

from peers.koseki.server import KosekiBook, RunningSimulator, make_demo_server, make_server, running, start

__all__ = ["KosekiBook", "RunningSimulator", "make_demo_server", "make_server", "running", "start"]
