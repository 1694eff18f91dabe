"""連携: the register's one outbox to linked systems (docs/linkage.md)."""
