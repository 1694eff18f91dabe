"""Production: HTTPS only, hardened cookies; passes ``jumin check --deploy``.

Required: JUMIN_ALLOWED_HOSTS.  Recommended: keys in the environment (JUMIN_SECRET_KEY,
JUMIN_DATA_KEY, JUMIN_LOOKUP_KEY) and JUMIN_DATABASE_URL pointing at PostgreSQL.
Run ``jumin collectstatic`` once per release; WhiteNoise serves the files.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from jumin.settings.base import *

DEBUG = False
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set JUMIN_ALLOWED_HOSTS (comma-separated host names) for production.")

SECURE_SSL_REDIRECT = os.environ.get("JUMIN_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
