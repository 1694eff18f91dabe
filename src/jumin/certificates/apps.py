from django.apps import AppConfig

from jumin.registry import hooks


class CertificatesConfig(AppConfig):
    name = "jumin.certificates"
    label = "certificates"
    verbose_name = "証明書"

    def ready(self) -> None:
        hooks.person_actions.register("jumin.certificates.actions.for_person")
        hooks.household_actions.register("jumin.certificates.actions.for_household")
