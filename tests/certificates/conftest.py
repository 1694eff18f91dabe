"""Fixtures of the register (operators, spare 住民票コード, the counter's audit context)."""

from tests.registry.conftest import _at_the_counter, counter, reviewer, spare_codes  # noqa: F401  (fixtures)
