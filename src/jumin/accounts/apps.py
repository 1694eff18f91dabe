from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jumin.accounts"
    label = "accounts"
    verbose_name = "利用者・端末"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from jumin.accounts import signals  # noqa: F401 - connects the receivers
        from jumin.accounts.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="jumin.accounts.roles")
