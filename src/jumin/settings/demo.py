"""The demo started by ``make run``: DEBUG off, as a municipality would run it (the Japanese
error pages, no tracebacks, no SQL kept in memory), on http://127.0.0.1:8000 without HTTPS.

Static files are served by WhiteNoise straight from the apps' ``static/`` folders (no
``collectstatic`` step, so a fresh clone runs with ``make run`` alone).  Production collects
them once per release instead (``jumin.settings.production``).  ``JUMIN_DEMO`` lets the demo's
own commands (``seed-demo``, ``seed-city``, ``totp-code``) run without DEBUG; production never
sets it."""

from jumin.settings.base import *

DEBUG = False
JUMIN_DEMO = True
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve from the apps' static folders: no collectstatic for the demo
# Passkeys work on http://localhost (a secure context).
JUMIN_WEBAUTHN_TRUST_LOCALHOST = True
