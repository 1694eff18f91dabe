"""Fixtures for the linkage tests: the register's and 市町村CS's (a key directory, a running
都道府県サーバ simulator)."""

from tests.jukinet.conftest import key_dir, prefecture, prefecture_key  # noqa: F401  (fixtures)
from tests.registry.conftest import (  # noqa: F401  (fixtures)
    _at_the_counter,
    counter,
    reviewer,
    spare_codes,
)
