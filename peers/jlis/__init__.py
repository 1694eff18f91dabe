"""Simulator of J-LIS 個人番号生成 (番号法 第8条): the national side that generates a 個人番号
from a 住民票コード and changes it on request (番号法 第7条第2項).

Run it with ``python -m peers.jlis --port 8765`` and point jumin at it with
``JUMIN_NUMBER_SERVICE_URL=http://127.0.0.1:8765``; tests start it in a thread with
:func:`running`.  See docs/operations.md.
"""

from peers.jlis.server import NumberIssuer, RunningSimulator, make_server, running

__all__ = ["NumberIssuer", "RunningSimulator", "make_server", "running"]
