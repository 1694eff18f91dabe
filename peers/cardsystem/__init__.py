"""Simulator of the J-LIS 個人番号カード管理システム: receives 送付先情報 from 市町村CS.

Run it with ``python -m peers.cardsystem --port 8769 --key-dir $JUMIN_VAR_DIR/jukinet`` and point
jumin at it with ``JUMIN_CARDSYSTEM_URL=http://127.0.0.1:8769``; tests start it in a thread with
:func:`running`.  See docs/cards.md.
"""

from peers.cardsystem.server import CardSystemBook, RunningSimulator, make_demo_server, make_server, running

__all__ = ["CardSystemBook", "RunningSimulator", "make_demo_server", "make_server", "running"]
