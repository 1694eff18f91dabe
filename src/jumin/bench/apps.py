from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class BenchConfig(AppConfig):
    name = "jumin.bench"
    label = "bench"
    verbose_name = "ベンチマーク"

    def ready(self) -> None:
        # Each app may register scenarios in its own bench.py.
        autodiscover_modules("bench")
