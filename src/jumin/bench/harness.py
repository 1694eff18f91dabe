"""The harness moved to :mod:`jumin.bench_harness` (issue 16: the apps' ``bench.py`` import
it without importing the ``jumin.bench`` composition).  This name stays only for
src/jumin/registry/bench.py until the kernel's branch imports ``jumin.bench_harness``."""

from jumin.bench_harness import (
    REGISTRY,
    Context,
    Figure,
    Scenario,
    latency_figures,
    percentile,
    scenario,
    throughput_figure,
    time_calls,
)

__all__ = [
    "REGISTRY",
    "Context",
    "Figure",
    "Scenario",
    "latency_figures",
    "percentile",
    "scenario",
    "throughput_figure",
    "time_calls",
]
