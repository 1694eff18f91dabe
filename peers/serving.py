"""What every simulator under ``peers/`` shares to run: its HTTP server with a ``url``, serving it
in a daemon thread, the handle a test holds (:class:`Running`) and stopping it at the end of a
``with`` block (:func:`until_exit`).  Standard library only; no jumin import."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Generic, Protocol, TypeVar


class UrlServer(ThreadingHTTPServer):
    """A simulator's server: ``url`` is where it listens (port 0 at bind: the port it got)."""

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


S = TypeVar("S", bound=UrlServer)


@dataclass
class Running(Generic[S]):
    """A simulator serving in a background thread (:func:`serve`)."""

    server: S
    thread: threading.Thread

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        """Shut the simulator down and close its port (a "server down" test)."""
        if self.thread.is_alive():
            self.server.shutdown()
            self.thread.join()
        self.server.server_close()


def serve(server: ThreadingHTTPServer, name: str) -> threading.Thread:
    """Start serving in a daemon thread named ``name``."""
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    return thread


class _Stoppable(Protocol):
    def stop(self) -> None: ...


T = TypeVar("T", bound=_Stoppable)


@contextmanager
def until_exit(simulator: T) -> Iterator[T]:
    """``simulator`` for the duration of the block, stopped after it (even on an error)."""
    try:
        yield simulator
    finally:
        simulator.stop()
