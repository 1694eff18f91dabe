"""Fixtures for the migration layout: the register's counter clerk and reviewer."""

from __future__ import annotations

from tests.registry.conftest import _at_the_counter, counter, reviewer  # noqa: F401  (fixtures)
