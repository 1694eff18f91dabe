"""Simulator of the 都道府県サーバ of 住基ネット: receives 本人確認情報 updates from 市町村CS.

Run it with ``python -m peers.prefecture --port 8766 --key-dir $JUMIN_VAR_DIR/jukinet`` and
point jumin at it with ``JUMIN_PREFECTURE_URL=http://127.0.0.1:8766``; tests start it in a
thread with :func:`running`.  See docs/jukinet.md.
"""

from peers.prefecture.server import (
    Faults,
    PrefectureBook,
    RunningSimulator,
    make_demo_server,
    make_server,
    running,
    start,
)

__all__ = ["Faults", "PrefectureBook", "RunningSimulator", "make_demo_server", "make_server", "running", "start"]
