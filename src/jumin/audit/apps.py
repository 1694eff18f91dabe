from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from jumin.audit.triggers import register_sqlite_function


def _prepare_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    allow_flush = getattr(settings, "JUMIN_AUDIT_ALLOW_TEST_FLUSH", False)
    if connection.vendor == "sqlite":
        connection.jumin_log_purge = allow_flush  # type: ignore[attr-defined]
        register_sqlite_function(connection)
    elif connection.vendor == "postgresql" and allow_flush:
        with connection.cursor() as cursor:
            cursor.execute("SET jumin.log_purge = 'on'")


class AuditConfig(AppConfig):
    name = "jumin.audit"
    label = "audit"
    verbose_name = "監査ログ"

    def ready(self) -> None:
        connection_created.connect(_prepare_connection, dispatch_uid="jumin.audit.prepare_connection")
