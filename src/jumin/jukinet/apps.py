from django.apps import AppConfig


class JukinetConfig(AppConfig):
    name = "jumin.jukinet"
    label = "jukinet"
    verbose_name = "住基ネット連携（市町村CS）"
