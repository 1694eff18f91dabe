"""The synthetic_city bench scenario runs and reports its figures (no timing asserted)."""

from jumin.bench.synthetic_bench import synthetic_city
from jumin.bench_harness import REGISTRY, Context


def test_scenario_reports_throughput_and_counts() -> None:
    assert REGISTRY["synthetic_city"].func is synthetic_city
    figures = {f.metric: f for f in synthetic_city(Context(residents=50, seed=1, engine="none"))}
    assert {"setup", "total", "persons_per_s", "persons", "households", "history_events", "max_rss"} <= set(figures)
    assert figures["persons"].value >= 50
    assert figures["persons_per_s"].unit == "ops/s"
    assert all(f.unit in {"s", "ops/s", "rows", "MB"} for f in figures.values())
