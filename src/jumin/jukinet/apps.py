from django.apps import AppConfig


class JukinetConfig(AppConfig):
    name = "jumin.jukinet"
    label = "jukinet"
    verbose_name = "住基ネット連携（市町村CS）"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from jumin.jukinet import move_out_certificates, notices

        post_save.connect(
            move_out_certificates.movement_saved, sender="registry.Movement", dispatch_uid="jukinet.special_move_in"
        )
        post_save.connect(notices.movement_saved, sender="registry.Movement", dispatch_uid="jukinet.move_in_notice")
