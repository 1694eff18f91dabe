"""Bounded auth-log rows for repeated failures from one source.

Every request with an invalid API key wrote one chained auth-log row (about 300 rows a
second from one client): a cheap way to flood the log and hide other events.  Per source
address — an IPv6 /64 counts as one source, since one host holds the whole network — at most
``limit`` rows are written in a window; the failures after that are counted, and one summary
row with the count is written when the window has passed (at the next failure from any
source).  The state is per worker process, so with W workers a source gets at most W × limit
rows a window.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

SUMMARY_SUFFIX = "_suppressed"
OVERFLOW = "*"


def source_of(ip: str) -> str:
    """The source an address counts for: an IPv4 address itself, an IPv6 address its /64."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


@dataclass
class _Window:
    started: float
    event: str
    rows: int = 0
    suppressed: int = 0


Writer = Callable[[str, str, str], object]  # event, source, detail


class AuthLogThrottle:
    def __init__(
        self,
        writer: Writer,
        *,
        limit: int = 10,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_sources: int = 10_000,
    ) -> None:
        self._writer = writer
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_sources = max_sources
        self._windows: dict[str, _Window] = {}
        self._order: deque[tuple[float, str]] = deque()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> list[tuple[str, str, int]]:
        summaries = []
        while self._order and now - self._order[0][0] >= self.window:
            started, source = self._order.popleft()
            window = self._windows.get(source)
            if window is not None and window.started == started:
                del self._windows[source]
                if window.suppressed:
                    summaries.append((window.event, source, window.suppressed))
        return summaries

    def record(self, event: str, ip: str, detail: str = "") -> bool:
        """Log one failure (or count it); True when a row was written for it."""
        source = source_of(ip)
        with self._lock:
            now = self._clock()
            summaries = self._expire(now)
            window = self._windows.get(source)
            if window is None:
                if len(self._windows) >= self._max_sources:
                    source = OVERFLOW
                    window = self._windows.get(source)
                if window is None:
                    window = self._windows[source] = _Window(now, event)
                    self._order.append((now, source))
            admitted = window.rows < self.limit
            if admitted:
                window.rows += 1
            else:
                window.suppressed += 1
        for summarised_event, summarised, count in summaries:
            detail_text = f"{summarised}: {self.window:g}秒間の{count}件の記録を省略"
            self._writer(summarised_event + SUMMARY_SUFFIX, summarised, detail_text)
        if admitted:
            self._writer(event, source, detail)
        return admitted
