"""Simulator of another municipality on 住基ネット (and of the network carrying 転入通知
between municipalities): receives jumin's 転入通知 and holds notices addressed to jumin.

Run it with ``python -m peers.municipality --port 8767 --key-dir $JUMIN_VAR_DIR/jukinet`` and
point jumin at it with ``JUMIN_MUNICIPALITY_URL=http://127.0.0.1:8767``; tests start it in a
thread with :func:`running`.  See docs/jukinet.md.
"""

from peers.municipality.server import (
    MunicipalityBook,
    RunningSimulator,
    make_demo_server,
    make_server,
    running,
    start,
)

__all__ = ["MunicipalityBook", "RunningSimulator", "make_demo_server", "make_server", "running", "start"]
