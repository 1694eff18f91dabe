"""Migration in and out of the register (標準仕様 10.6 中間標準レイアウト出力, 10.8 CSV取込).

``jumin migrate-data export DIR`` writes the whole register in the migration layout (one CSV
per table, Japanese item names, docs/migration.md); ``jumin migrate-data import DIR`` checks
every record first (a report of record, item, code and message) and then writes everything
in one transaction of bulk writes, into an empty register only.
"""
