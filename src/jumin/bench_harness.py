"""The benchmark harness behind ``jumin bench``.

A scenario is a function that takes a :class:`Context` and yields :class:`Figure`s.
Apps register scenarios in a ``bench.py`` module (discovered at start-up) with the
:func:`scenario` decorator.  Timings are only ever reported here, never asserted in tests.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from django.db import connection
from rich.progress import Progress

T = TypeVar("T")


@dataclass(frozen=True)
class Figure:
    scenario: str
    metric: str
    value: float
    unit: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Context:
    residents: int
    seed: int
    engine: str
    progress: Progress | None = None
    notes: list[str] = field(default_factory=list)
    # the scenario's own settings (``jumin bench NAME --param KEY=VALUE``), defaults filled in
    params: dict[str, str] = field(default_factory=dict)

    def track(self, iterable: Iterable[T], total: int, description: str) -> Iterator[T]:
        if self.progress is None:
            yield from iterable
            return
        task = self.progress.add_task(description, total=total)
        for item in iterable:
            yield item
            self.progress.advance(task)
        self.progress.remove_task(task)


ScenarioFunc = Callable[[Context], Iterable[Figure]]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    func: ScenarioFunc
    default_residents: int
    # KEY → (default, what it sets): the ``--param KEY=VALUE`` the scenario accepts
    params: dict[str, tuple[str, str]] = field(default_factory=dict)

    def resolve_params(self, given: list[str]) -> dict[str, str]:
        """The defaults overridden by ``KEY=VALUE`` items; ValueError for an unknown or malformed one."""
        values = {key: default for key, (default, _) in self.params.items()}
        for item in given:
            key, sep, value = item.partition("=")
            if not sep or key not in self.params:
                known = ", ".join(self.params) or "none"
                raise ValueError(f"{self.name}: unknown --param {item!r} (known: {known})")
            values[key] = value
        return values


REGISTRY: dict[str, Scenario] = {}


def scenario(
    name: str,
    description: str,
    *,
    default_residents: int = 10_000,
    params: dict[str, tuple[str, str]] | None = None,
) -> Callable[[ScenarioFunc], ScenarioFunc]:
    def register(func: ScenarioFunc) -> ScenarioFunc:
        if name in REGISTRY:
            raise ValueError(f"bench scenario {name!r} is registered twice")
        REGISTRY[name] = Scenario(name, description, func, default_residents, dict(params or {}))
        return func

    return register


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        raise ValueError("no samples")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


class StatementCounter:
    """Counts the SQL statements the default connection runs inside ``with`` (issue 24: the
    statement count of each operation is a bench figure next to its time)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0  # spent inside the driver's execute: the operation's SQL floor
        self._wrapper: Any = None

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start

    def __enter__(self) -> StatementCounter:
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wrapper.__exit__(*exc)


def time_calls(  # noqa: PLR0917 - the figures a scenario wants come positionally in every caller
    func: Callable[[], object],
    count: int,
    ctx: Context | None = None,
    label: str = "",
    statements: list[int] | None = None,
    sql_seconds: list[float] | None = None,
) -> list[float]:
    """Call ``func`` ``count`` times; returns each call's duration in seconds, ascending.  With
    ``statements``, each call's number of SQL statements is appended to it (in call order), and
    with ``sql_seconds`` the time its statements spent in the database driver."""
    samples = []
    iterable: Iterable[int] = range(count)
    if ctx is not None:
        iterable = ctx.track(range(count), count, label)
    for _ in iterable:
        counter = StatementCounter() if statements is not None else None
        start = time.perf_counter()
        if counter is None:
            func()
        else:
            with counter:
                func()
        samples.append(time.perf_counter() - start)
        if statements is not None and counter is not None:
            statements.append(counter.count)
            if sql_seconds is not None:
                sql_seconds.append(counter.seconds)
    return sorted(samples)


def statement_figure(name: str, metric: str, counts: list[int]) -> Figure:
    """The median number of SQL statements of one operation (``<metric>_statements``)."""
    ordered = sorted(counts)
    return Figure(name, f"{metric}_statements", float(ordered[len(ordered) // 2]) if ordered else 0.0, "statements")


def sql_floor_figures(name: str, metric: str, seconds: list[float]) -> list[Figure]:
    """p50 and p95 of the time an operation's statements spent in the database driver
    (``<metric>_sql_p50/_p95``, ms): the floor under the operation's own time (issue 24)."""
    ordered = sorted(seconds)
    return [
        Figure(name, f"{metric}_sql_{p}", round(percentile(ordered, q) * 1e3, 3) if ordered else 0.0, "ms")
        for p, q in (("p50", 0.50), ("p95", 0.95))
    ]


def latency_figures(name: str, metric: str, samples: list[float], unit: str = "ms") -> list[Figure]:
    """p50, p95, max of the samples (seconds) in ``unit`` (ms or us)."""
    scale = {"ms": 1e3, "us": 1e6}[unit]
    return [
        Figure(name, f"{metric}_p50", round(percentile(samples, 0.50) * scale, 3), unit),
        Figure(name, f"{metric}_p95", round(percentile(samples, 0.95) * scale, 3), unit),
        Figure(name, f"{metric}_max", round(samples[-1] * scale, 3), unit),
    ]


def throughput_figure(name: str, metric: str, operations: int, seconds: float) -> Figure:
    return Figure(name, metric, round(operations / seconds, 1), "ops/s")
