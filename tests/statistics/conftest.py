from tests.registry.conftest import counter, reviewer, spare_codes, _at_the_counter  # noqa: F401
