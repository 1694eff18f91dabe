from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "jumin.inspection"
    label = "inspection"
    verbose_name = "閲覧台帳"
