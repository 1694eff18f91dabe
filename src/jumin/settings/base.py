"""Settings shared by every environment.  Environment variables (all optional):

JUMIN_DATABASE_URL   database URL (default: SQLite file var/jumin.sqlite3)
JUMIN_VAR_DIR        where the database, keys and reports live (default: ./var)
JUMIN_ALLOWED_HOSTS  comma-separated host names
JUMIN_SECRET_KEY / JUMIN_DATA_KEY / JUMIN_LOOKUP_KEY   keys (default: generated into var/)
JUMIN_RESIDENT_CODE_FORMULA   A or B (住民票コード check digit, unverified; see docs)
JUMIN_DB_PREPARE_THRESHOLD    PostgreSQL: a statement run this many times on a connection is
                     prepared (default 2); 0 = never (behind a pooler in transaction mode)
"""

from __future__ import annotations

import os

import dj_database_url

from jumin.conf.paths import var_dir
from jumin.conf.secrets import load_secrets
from jumin.core.wareki import DEFAULT_ERA_ENDS, DEFAULT_ERAS

VAR_DIR = var_dir()
SECRETS = load_secrets(VAR_DIR)
SECRET_KEY = SECRETS.secret_key
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("JUMIN_ALLOWED_HOSTS", "").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "ninja",  # the API docs (/api/v1/docs) served from its static files, never from a CDN
    "jumin.accounts",
    "jumin.audit",
    "jumin.addresses",
    "jumin.registry",
    "jumin.linkage",
    "jumin.retention",
    "jumin.protection",
    "jumin.certificates",
    "jumin.jukinet",
    "jumin.cards",
    "jumin.integrated_atena",
    "jumin.intermediate_server",
    "jumin.kiosk",
    "jumin.koseki",
    "jumin.immigration",
    "jumin.search",
    "jumin.inspection",
    "jumin.applications",
    "jumin.statistics",
    "jumin.handover",
    "jumin.runtime",
    "jumin.web",
    "jumin.bench",
    "jumin.conformance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside every other middleware: its headers reach every answer, redirects and refusals too.
    "jumin.web.middleware.PrivacyHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jumin.web.middleware.UnstorableInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jumin.accounts.middleware.TerminalMiddleware",
    "jumin.audit.context.AuditContextMiddleware",
    "jumin.audit.middleware.AccessLogBatchMiddleware",
    "jumin.accounts.middleware.ScreenLoginRequiredMiddleware",
    "jumin.accounts.middleware.SecondFactorMiddleware",
    "jumin.accounts.middleware.IdleLockMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jumin.web.middleware.DomainPermissionMiddleware",
]

ROOT_URLCONF = "jumin.urls"
WSGI_APPLICATION = "jumin.wsgi.application"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jumin.web.context_processors.shell",
            ],
        },
    },
]

# Form widgets (Django's own widget templates, in their Jinja2 form: the same HTML) render 3-4x
# faster than through the Django template engine — the 転入 screen has ~115 of them (issue 24).
FORM_RENDERER = "django.forms.renderers.Jinja2"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("JUMIN_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'jumin.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writer takes the lock at BEGIN, so two writers queue instead of
        # failing with "database is locked" half-way through a movement.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # The covering indexes (INCLUDE 宛名番号 …) are PostgreSQL's; SQLite builds them as plain
    # indexes of their key columns, which is what it can use anyway.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server and the statements run again prepared (issue 24): a search
    # spent more time in PostgreSQL's planner (0.45 ms per statement) than in executing it
    # (0.1 ms); a prepared statement is planned once per connection when a generic plan is as
    # cheap as a custom one (plan_cache_mode auto), else per execution as before.  The hot
    # statements keep one text whatever their values (name spellings go as one array).
    _prepare = int(os.environ.get("JUMIN_DB_PREPARE_THRESHOLD", "2"))
    DATABASES["default"]["OPTIONS"] = (
        {"server_side_binding": True, "prepare_threshold": _prepare} if _prepare > 0 else {}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["jumin.accounts.backends.JuminBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_NAME = "jumin_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 10 * 60 * 60  # one working day at most
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LANGUAGE_CODE = "ja"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_numbers": {"()": "jumin.log_redaction.RedactNumbersFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_numbers"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# -- jumin ---------------------------------------------------------------------------------

JUMIN_MUNICIPALITY = {
    "name": os.environ.get("JUMIN_MUNICIPALITY_NAME", "上尾市"),
    "prefecture": os.environ.get("JUMIN_PREFECTURE_NAME", "埼玉県"),
    "lg_code": os.environ.get("JUMIN_LG_CODE", "112194"),  # 全国地方公共団体コード with check digit
}
# Certificates (docs/certificates.md): the public verification page in every copy's QR code,
# 文字溢れ handling (5.8: "truncate" or "blank"), and 認証文 wordings overriding the defaults.
# the public address of /verify/ printed in the QR code; empty: the host and port that served the issue
JUMIN_VERIFY_URL = os.environ.get("JUMIN_VERIFY_URL", "")
JUMIN_OVERFLOW_MODE = os.environ.get("JUMIN_OVERFLOW_MODE", "truncate")
JUMIN_ATTESTATIONS: dict[str, str] = {}
# 元号 master (spec 1.3.6): a new era is one more entry here, no code change.
JUMIN_ERAS = [dict(era) for era in DEFAULT_ERAS]
JUMIN_ERA_ENDS = dict(DEFAULT_ERA_ENDS)
# Accepted range of each kind of date (jumin.core.date_rules, docs/dates.md): overrides of the
# defaults, e.g. {"planned_move_out": {"years_ahead": 2}} or {"notified": {"earliest": "1970-01-01"}}.
JUMIN_DATE_WINDOWS: dict[str, dict[str, str | int]] = {}
# 住民票コード check digit formula: the 告示 text is unverified (rules-and-vectors.md §2).
JUMIN_RESIDENT_CODE_FORMULA = os.environ.get("JUMIN_RESIDENT_CODE_FORMULA", "A")
# J-LIS 個人番号生成 (via 住基ネット), e.g. the simulator `python -m peers.jlis`: http://127.0.0.1:8765.
# Empty: not configured — 個人番号の指定・変更 are refused with a clear message.
JUMIN_NUMBER_SERVICE_URL = os.environ.get("JUMIN_NUMBER_SERVICE_URL", "")
# M11W2-7 when 11 - remainder would be 10: "zero" or "skip" (spec 1.1.13 is silent).
JUMIN_M11_REMAINDER_ONE = os.environ.get("JUMIN_M11_REMAINDER_ONE", "zero")
# Digits of a 宛名番号/世帯番号 including the check digit.  Not 11 or 12: log redaction masks
# every free-standing 11- or 12-digit run (the width of 住民票コード and 個人番号).
JUMIN_ATENA_NO_DIGITS = int(os.environ.get("JUMIN_ATENA_NO_DIGITS", "10"))
# Terminal enrollment codes are valid this long.
JUMIN_ENROLLMENT_CODE_TTL_MINUTES = 30
JUMIN_TERMINAL_COOKIE = "jumin_terminal"
# Consecutive failed logins (password or second factor) that lock an account.
JUMIN_LOCKOUT_THRESHOLD = int(os.environ.get("JUMIN_LOCKOUT_THRESHOLD", "5"))
# Minutes without activity after which the screen locks and needs re-authentication.
JUMIN_IDLE_LOCK_MINUTES = int(os.environ.get("JUMIN_IDLE_LOCK_MINUTES", "10"))
# the last request is stored at most this stale (the lock comes up to this much early; issue 24)
JUMIN_IDLE_LOCK_RESOLUTION_SECONDS = 30
# Second factor (passkey or authenticator app) after the password (assessment: 二要素認証).
JUMIN_REQUIRE_SECOND_FACTOR = os.environ.get("JUMIN_REQUIRE_SECOND_FACTOR", "1") == "1"
# WebAuthn: the relying party (default: the host name in use) and the origins allowed.
JUMIN_WEBAUTHN_RP_ID = os.environ.get("JUMIN_WEBAUTHN_RP_ID", "")
JUMIN_WEBAUTHN_ORIGINS = [o for o in os.environ.get("JUMIN_WEBAUTHN_ORIGINS", "").split(",") if o]
JUMIN_WEBAUTHN_TRUST_LOCALHOST = False
# The card reader of the 本人確認 screen (jumin.jukinet.card_reader): "simulator" (the card
# reader played by `python -m peers.jpki` at JUMIN_CARD_READER_URL), "none", or a dotted path.
JUMIN_CARD_READER = os.environ.get("JUMIN_CARD_READER", "simulator")
JUMIN_CARD_READER_URL = os.environ.get("JUMIN_CARD_READER_URL", "http://127.0.0.1:8768")
# The demo of `make run` (jumin.settings.demo): its own commands run there without DEBUG.
JUMIN_DEMO = False
OTP_WEBAUTHN_RP_NAME = "住民記録システム"
OTP_WEBAUTHN_RP_ID_CALLABLE = "jumin.accounts.webauthn.relying_party_id"
OTP_WEBAUTHN_HELPER_CLASS = "jumin.accounts.webauthn.JuminWebAuthnHelper"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_ALLOWED_ORIGINS = JUMIN_WEBAUTHN_ORIGINS or ["https://localhost"]
OTP_TOTP_ISSUER = "jumin"

# Business calendar: opening hours (for the after-hours audit report) and the year-end
# closure in addition to weekends and national holidays.
JUMIN_BUSINESS_HOURS = ("08:30", "17:15")
JUMIN_YEAR_END_CLOSURE = ((12, 29), (1, 3))
# Audit report thresholds.
JUMIN_AUDIT_MASS_LOOKUP_PERSONS_PER_DAY = int(os.environ.get("JUMIN_AUDIT_MASS_LOOKUP", "200"))
JUMIN_AUDIT_FOLLOW_UP_HOURS = 8  # a look-up "followed by processing" within this time
# Years the audit logs are kept before `jumin audit purge --retention` may delete them
# (the municipality's rule; the standard leaves the period to it).
JUMIN_AUDIT_RETENTION_YEARS = int(os.environ.get("JUMIN_AUDIT_RETENTION_YEARS", "7"))
# Months the received 住民票記載事項通知 (戸籍), the received 法務省通知 and the delivered 附票記載事項通知
# (with their FUHYO outbox rows) are kept (`jumin retention run`).  The default is the 1 year of
# 住基法施行令34条4項 (届出書・通知書等); that it is the period for these stores is not verified.
JUMIN_KOSEKI_NOTICE_RETENTION_MONTHS = int(os.environ.get("JUMIN_KOSEKI_NOTICE_RETENTION_MONTHS", "12"))
JUMIN_IMMIGRATION_NOTICE_RETENTION_MONTHS = int(os.environ.get("JUMIN_IMMIGRATION_NOTICE_RETENTION_MONTHS", "12"))
JUMIN_FUHYO_SENT_RETENTION_MONTHS = int(os.environ.get("JUMIN_FUHYO_SENT_RETENTION_MONTHS", "12"))
# Signed checkpoints of the audit logs' chain heads (`jumin audit checkpoint`, checked by
# `jumin audit verify`): a rewound or deleted log no longer passes.  The signing key is an
# Ed25519 private key in PEM (see docs/operations.md); the public key defaults to the one
# derived from it, but should be given from a copy kept off the box.
JUMIN_AUDIT_CHECKPOINT_DIR = os.environ.get("JUMIN_AUDIT_CHECKPOINT_DIR") or str(VAR_DIR / "audit-checkpoints")
JUMIN_AUDIT_CHECKPOINT_KEY = os.environ.get("JUMIN_AUDIT_CHECKPOINT_KEY", "")
JUMIN_AUDIT_CHECKPOINT_PUBLIC_KEY = os.environ.get("JUMIN_AUDIT_CHECKPOINT_PUBLIC_KEY", "")
# Rows written for rejected API keys, per source address (an IPv6 /64 is one source) and
# worker process: at most this many in the window, then one summary row with the count.
JUMIN_AUTH_LOG_FAILURES_PER_SOURCE = int(os.environ.get("JUMIN_AUTH_LOG_FAILURES_PER_SOURCE", "10"))
JUMIN_AUTH_LOG_FAILURE_WINDOW_SECONDS = int(os.environ.get("JUMIN_AUTH_LOG_FAILURE_WINDOW_SECONDS", "60"))
# jumin worker (docs/operations.md): seconds between its passes over the timetable, and
# schedules changed by job name (None: the environment variable JUMIN_WORKER_SCHEDULE, JSON).
JUMIN_WORKER_TICK_SECONDS = float(os.environ.get("JUMIN_WORKER_TICK_SECONDS", "15"))
JUMIN_WORKER_SCHEDULE: dict[str, str] | None = None
JUMIN_SEARCH_MAX_RESULTS = int(os.environ.get("JUMIN_SEARCH_MAX_RESULTS", "100"))  # broader searches must be narrowed
JUMIN_APPROVAL_QUEUE_PAGE_SIZE = int(os.environ.get("JUMIN_APPROVAL_QUEUE_PAGE_SIZE", "50"))  # 審査待ち shown per page
