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
        hooks.inquiry_guard.register("jumin.protection.inquiry.GUARD")
        hooks.person_marks.register("jumin.protection.queries.MARKS")
        hooks.person_probe.register("jumin.protection.queries.touched")
        hooks.protected_persons.register("jumin.protection.rules.protected_persons")
        hooks.inspection_exclusions.register("jumin.protection.rules.inspection_exclusions")
