"""Simulator of the マイナポータル 電子申請機能 (ぴったりサービス: サービス検索・電子申請機能) and its
連携サーバ: residents file a 転出届 (引越しワンストップ) or a 転入予約 signed with the
署名用電子証明書 of their simulated 個人番号カード (``peers.jpki``, real X.509/ECDSA), and the
municipality pulls them (signed Ed25519 requests as every peer) and sends statuses back.

Run ``python -m peers.eapplication --port 8771 --jpki-port 8768 --key-dir DIR`` for the demo.
See docs/applications.md.
"""

from peers.eapplication.server import (
    ApplicationBook,
    RunningSimulator,
    make_demo_server,
    make_server,
    running,
    sign_application,
)

__all__ = ["ApplicationBook", "RunningSimulator", "make_demo_server", "make_server", "running", "sign_application"]
