"""Production: HTTPS only, hardened cookies; passes ``jumin check --deploy``.

Required: JUMIN_ALLOWED_HOSTS.  Recommended: keys in the environment (JUMIN_SECRET_KEY,
JUMIN_DATA_KEY, JUMIN_LOOKUP_KEY) and JUMIN_DATABASE_URL pointing at PostgreSQL.
The second factor is always on (``JUMIN_REQUIRE_SECOND_FACTOR=0`` is refused) and links to
national systems must use https (system checks jumin.E001/E002, enforced by ``jumin.wsgi``).
Run ``jumin collectstatic`` once per release; WhiteNoise serves the files.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from jumin.settings.base import *

DEBUG = False
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set JUMIN_ALLOWED_HOSTS (comma-separated host names) for production.")

# The second factor cannot be switched off here (assessment: 二要素認証); see jumin.conf.checks.
if os.environ.get("JUMIN_REQUIRE_SECOND_FACTOR", "1") != "1":
    raise ImproperlyConfigured(
        "JUMIN_REQUIRE_SECOND_FACTOR cannot be turned off in production (the second factor is required)."
    )
JUMIN_REQUIRE_SECOND_FACTOR = True
# No simulated card reader in production: a real reader is configured by its dotted path.
JUMIN_CARD_READER = os.environ.get("JUMIN_CARD_READER", "none")
if JUMIN_CARD_READER == "simulator":
    raise ImproperlyConfigured("JUMIN_CARD_READER=simulator is for the demo and tests, not production.")

SECURE_SSL_REDIRECT = os.environ.get("JUMIN_SSL_REDIRECT", "1") == "1"
# The probes of the load balancer and systemd ask over plain HTTP on the box itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
