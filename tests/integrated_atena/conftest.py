"""Fixtures of the 宛名連携 tests: the register fixtures."""

from tests.registry.conftest import _at_the_counter, counter, reviewer, spare_codes  # noqa: F401  (fixtures)
