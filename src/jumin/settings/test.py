"""Settings for the test suite.  The database is SQLite unless JUMIN_DATABASE_URL is set
(the test runner sets it to PostgreSQL for the second pass)."""

import os
import tempfile

os.environ.setdefault("JUMIN_VAR_DIR", tempfile.mkdtemp(prefix="jumin-test-"))

from jumin.settings.base import *

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# runserver and the test live server serve static files themselves.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
# Test database teardown (flush) deletes from the append-only log tables; the audit tests
# close this gate again to prove the triggers refuse.
JUMIN_AUDIT_ALLOW_TEST_FLUSH = True
# Passkeys work on http://localhost during development and tests (a secure context).
JUMIN_WEBAUTHN_TRUST_LOCALHOST = True
