from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "jumin.statistics"
    label = "statistics"
    verbose_name = "統計"
