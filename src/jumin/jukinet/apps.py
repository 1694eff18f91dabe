from django.apps import AppConfig


class JukinetConfig(AppConfig):
    name = "jumin.jukinet"
    label = "jukinet"
    verbose_name = "住基ネット連携（市町村CS）"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from jumin.jukinet.move_out_certificates import movement_saved

        post_save.connect(movement_saved, sender="registry.Movement", dispatch_uid="jukinet.special_move_in")
