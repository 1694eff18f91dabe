"""Simulator of the 全国サーバ (J-LIS) of 住基ネット, as far as a 市町村CS uses it: 本人確認情報照会
(``POST /identity-queries``, signed both ways).  It is the 都道府県サーバ simulator
(:mod:`peers.prefecture.server`) under its own key — the protocol and the matching are the same;
only what it holds differs (every municipality's 本人確認情報, loaded with ``--copy`` or put in
``book.records`` by a test).  See docs/jukinet.md, 「本人確認情報照会」."""

from peers.prefecture.server import PrefectureBook as NationalBook
from peers.prefecture.server import RunningSimulator, make_server, running, start

OWN_KEY = "national_sim_ed25519.key"
OWN_PUBLIC = "national_ed25519.pub"

__all__ = ["OWN_KEY", "OWN_PUBLIC", "NationalBook", "RunningSimulator", "make_server", "running", "start"]
