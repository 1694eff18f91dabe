"""Pure domain values of the resident registry.

Nothing in this package imports Django or touches a database: these are the rules
(和暦, uncertain dates, check digits, kana search keys, 続柄) that every other layer
uses, kept small, typed (mypy --strict) and fully covered by tests.
"""
