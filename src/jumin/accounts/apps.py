from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "jumin.accounts"
    label = "accounts"
    verbose_name = "利用者・端末"

    def ready(self) -> None:
        # The modules that need the models are loaded once the app registry is ready.
        import_module("jumin.accounts.signals")  # connects the receivers
        roles = import_module("jumin.accounts.roles")
        post_migrate.connect(roles.ensure_roles, sender=self, dispatch_uid="jumin.accounts.roles")
