"""Local development and the demo started by ``make run``."""

from jumin.settings.base import *

DEBUG = True
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# runserver and the test live server serve static files themselves.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
# Passkeys work on http://localhost during development and tests (a secure context).
JUMIN_WEBAUTHN_TRUST_LOCALHOST = True
