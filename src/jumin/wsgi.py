import os

from django.core.wsgi import get_wsgi_application

from jumin.conf.checks import refuse_to_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jumin.settings.production")
application = get_wsgi_application()
# No request is served by an installation that breaks a production rule (jumin.E001, E002).
refuse_to_start()


def _warm_up() -> None:
    """What every worker would otherwise do on its first requests — import every view (the URL
    configuration) and read the PDF font (IPAmj明朝, tens of megabytes: a worker's first
    certificate took 0.5-1.9 s) — done once here: ``jumin serve`` loads this module before the
    workers fork (gunicorn ``--preload``), and they share it."""
    from django.urls import get_resolver  # noqa: PLC0415 - after the settings are set up

    from jumin.pdf_fonts import font  # noqa: PLC0415

    _ = get_resolver().url_patterns
    font()


_warm_up()
