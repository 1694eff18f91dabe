"""Simulator of the 証明書交付センター of the コンビニ交付 (docs/kiosk.md).

Run ``python -m peers.konbini --port 8770 --jpki-url http://127.0.0.1:8768 --municipality-url
http://127.0.0.1:8000 --api-key KEY`` for the demo; tests start it in a thread with :func:`running`.
"""

from peers.konbini.server import Center, RunningCenter, make_server, running

__all__ = ["Center", "RunningCenter", "make_server", "running"]
