"""Simulator of the 情報提供ネットワークシステム (コアシステム) as one municipality's 中間サーバー
sees it: 符号 issued per 処理通番, 情報照会 checked against the 照会許可照合リスト and carried to
the provider, the provider's answers carried back.

Run it with ``python -m peers.provision_network --port 8771 --key-dir $JUMIN_VAR_DIR/jukinet``
and point jumin at it with ``JUMIN_PROVISION_NETWORK_URL=http://127.0.0.1:8771``; tests start it
in a thread with :func:`running`.  See docs/number-exchange.md.
"""

from peers.provision_network.server import NetworkBook, RunningSimulator, make_demo_server, make_server, running

__all__ = ["NetworkBook", "RunningSimulator", "make_demo_server", "make_server", "running"]
