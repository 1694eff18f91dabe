from django.apps import AppConfig

from jumin.registry import hooks


class LinkageConfig(AppConfig):
    name = "jumin.linkage"
    label = "linkage"
    verbose_name = "連携（アウトボックス）"

    def ready(self) -> None:
        # before the satellites' on-final actions: the outbox rows are the 本登録's own effect
        hooks.final_actions.register("jumin.linkage.outbox.write_for_movement")
