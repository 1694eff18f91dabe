from django.apps import AppConfig

from jumin.retention.rules import retention_rules


class RetentionConfig(AppConfig):
    name = "jumin.retention"
    label = "retention"
    verbose_name = "保存期間と消去"

    def ready(self) -> None:
        for name in ("REMOVED", "REBUILT_ORIGINALS", "AUDIT_LOGS"):
            retention_rules.register(f"jumin.retention.builtin.{name}")
