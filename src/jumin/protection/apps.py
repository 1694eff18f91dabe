from django.apps import AppConfig

from jumin.registry import hooks


class ProtectionConfig(AppConfig):
    name = "jumin.protection"
    label = "protection"
    verbose_name = "支援措置・抑止"

    def ready(self) -> None:
        hooks.plan_checks.register("jumin.protection.movements.screen_plan")
        hooks.entered_actions.register("jumin.protection.movements.record_passes")
        hooks.approval_checks.register("jumin.protection.movements.check_approval")
