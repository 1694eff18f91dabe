from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "jumin.applications"
    label = "applications"
    verbose_name = "電子申請（申請管理）"
