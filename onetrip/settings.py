"""Django settings for OneTrip.

Everything deployment-specific is read from the environment through the strict helpers in
``onetrip.core.env``. With nothing set, OneTrip runs on SQLite with local file storage and
console e-mail/SMS, which is what ``make demo`` and ``make test`` use.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from onetrip.core.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ONETRIP_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY", "")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
        return key
    # No key given: keep a random one in var/ so that a single-machine install works with no
    # set-up and sessions survive restarts. Several machines must share SECRET_KEY instead.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "onetrip.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "onetrip.core",
    "onetrip.accounts",
    "onetrip.workcalendar",
    "onetrip.catalog",
    "onetrip.cases",
    "onetrip.supervision",
    "onetrip.reports",
    "onetrip.hall",
    "onetrip.registries",
    "onetrip.payments",
    "onetrip.delivery",
    "onetrip.licenses",
    "onetrip.ratings",
    "onetrip.hotline",
    "onetrip.knowledge",
    "onetrip.api",
    "onetrip.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "onetrip.core.middleware.LanguageMiddleware",
    "onetrip.core.middleware.SecurityHeadersMiddleware",  # before anything reads the body
    "onetrip.core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onetrip.urls"
WSGI_APPLICATION = "onetrip.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onetrip.core.context_processors.site",
                "onetrip.accounts.context_processors.capabilities",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'onetrip.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several requests write at once (two citizens submitting, a double tap, two clerks on one
    # case). SQLite allows one writer at a time; to make the others queue instead of failing
    # with "database is locked":
    # - every transaction.atomic() starts with BEGIN IMMEDIATE, taking the write lock up front.
    #   A deferred BEGIN would read first and then try to upgrade to a writer, which SQLite
    #   refuses at once (no waiting) when another connection has committed meanwhile;
    # - a connection waits up to `timeout` seconds for the lock (the busy timeout);
    # - WAL lets readers go on while one connection writes; synchronous=NORMAL is safe with WAL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses an account from an address locked out for it
    "onetrip.accounts.lockout.SlowdownBackend",  # the account-wide wait, then the password
    "django.contrib.auth.backends.ModelBackend",  # sessions started with login(…, backend=ModelBackend)
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:me"
LOGOUT_REDIRECT_URL = "catalog:home"

# Failed log-ins (see onetrip/accounts/lockout.py). One address that fails an account
# LOGIN_FAILURE_LIMIT times is locked out of that account for LOGIN_LOCKOUT_MINUTES
# (django-axes, state in the database so that every web process sees it); the account as a
# whole only slows down after LOGIN_SLOWDOWN_AFTER failures from anywhere, each attempt waiting
# 5 s, 10 s, 20 s… after the last failure, at most LOGIN_SLOWDOWN_MAX_SECONDS. So knowing a
# citizen's mobile number is not enough to lock them out.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1)
LOGIN_SLOWDOWN_AFTER = env_int("LOGIN_SLOWDOWN_AFTER", 10, minimum=1)
LOGIN_SLOWDOWN_MAX_SECONDS = env_int("LOGIN_SLOWDOWN_MAX_SECONDS", 300, minimum=1)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOGIN_LOCKOUT_MINUTES / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "onetrip.core.ratelimit.client_address"
AXES_USERNAME_CALLABLE = "onetrip.accounts.lockout.axes_username"
AXES_RESET_ON_SUCCESS = True
# A refused attempt (locked address, or the account's wait not over) is not counted: it
# neither extends a lock nor turns the owner's impatience into a lock-out of their address.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "onetrip.accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Codes sent by SMS to reset a password or unlock an account: per mobile and per address.
SMS_CODES_PER_MOBILE_PER_HOUR = env_int("SMS_CODES_PER_MOBILE_PER_HOUR", 5, minimum=1)
SMS_CODES_PER_ADDRESS_PER_HOUR = env_int("SMS_CODES_PER_ADDRESS_PER_HOUR", 20, minimum=1)
PROXY_CONSENT_VALID_HOURS = env_int("PROXY_CONSENT_VALID_HOURS", 24, minimum=1)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded materials and issued documents: a local folder (MEDIA_ROOT), or S3-compatible object
# storage (MinIO, Ceph, a government cloud's OSS) shared by every web and worker process.
STORAGE_BACKEND = env_choice("STORAGE_BACKEND", "local", {"local": "local", "s3": "s3"})
if STORAGE_BACKEND == "s3":
    _default_storage: dict[str, Any] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": env_str("S3_BUCKET", ""),
        "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
        "region_name": env_str("S3_REGION", "") or None,
        "access_key": env_str("S3_ACCESS_KEY_ID", "") or None,
        "secret_key": env_str("S3_SECRET_ACCESS_KEY", "") or None,
        "location": env_str("S3_PREFIX", ""),
        "default_acl": None,  # private: files are served through the application, never by URL
        "querystring_auth": True,
        "file_overwrite": False,  # like the local folder: a second copy gets its own name, so deleting
        # a copy whose row failed to save never removes a file another row names
    }}
    if not _default_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs S3_BUCKET (and S3_ENDPOINT_URL for MinIO or another "
                                   "S3-compatible store)")
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": env_choice(
            "STATICFILES_BACKEND",
            "manifest",
            {
                "manifest": "whitenoise.storage.CompressedManifestStaticFilesStorage",
                "plain": "django.contrib.staticfiles.storage.StaticFilesStorage",
            },
        ),
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = env_choice(
    "EMAIL_BACKEND",
    "console",
    {
        "console": "django.core.mail.backends.console.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "memory": "django.core.mail.backends.locmem.EmailBackend",
    },
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "onetrip@localhost")
SMS_BACKEND = env_choice(
    "SMS_BACKEND",
    "console",
    {"console": "onetrip.core.sms.ConsoleBackend", "file": "onetrip.core.sms.FileBackend",
     "memory": "onetrip.core.sms.MemoryBackend"},
)

# Where the shared registries (population, companies, e-licences) are read: "local" (OneTrip's own
# tables) or the dotted path of a class implementing onetrip.registries.providers.RegistryProvider
# (a province's data exchange). See docs/registries.md.
REGISTRY_PROVIDER = env_str("REGISTRY_PROVIDER", "local")
if REGISTRY_PROVIDER == "local":
    REGISTRY_PROVIDER = "onetrip.registries.providers.LocalProvider"
elif "." not in REGISTRY_PROVIDER:
    raise ImproperlyConfigured(
        f"REGISTRY_PROVIDER={REGISTRY_PROVIDER!r}: use 'local' or the dotted path of a RegistryProvider class")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# HTTPS=true when clients reach OneTrip over HTTPS (directly, or through TRUSTED_PROXIES that set
# X-Forwarded-Proto): cookies only over HTTPS, plain HTTP redirected (except /healthz, for load
# balancers) and HSTS for a year. Preloading into browsers is hard to undo and covers every
# subdomain, so it is opt-in (HSTS_PRELOAD=true).
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]  # preload: see above
# Pages load scripts, styles and images only from this site, are never framed, and send forms
# only here: no inline script or style anywhere (the 500 page allows its own style block by
# hash, core.views.server_error). The API's Swagger UI draws its icons from data: URLs, so its
# page may load data: images (tests/browser/test_content_security_policy.py runs it).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CONTENT_SECURITY_POLICY_BY_PATH = {
    "/api/docs": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
}
# How many reverse proxies (load balancer, nginx…) stand between the client and this process.
# Each appends the address it was reached from to X-Forwarded-For, so the client's address is
# the N-th entry from the right (``core.ratelimit.client_address``); 0 means clients connect
# directly and X-Forwarded-For is ignored. X-Forwarded-Proto is believed only behind proxies.
if env_bool("BEHIND_PROXY", False):
    raise ImproperlyConfigured("BEHIND_PROXY was replaced by TRUSTED_PROXIES: set it to the number of "
                               "reverse proxies in front of OneTrip (0 when there are none)")
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0, minimum=0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None

# A per-process cache: it only ever holds things whose key says exactly what they are (pages
# of immutable published versions), so processes never need to share it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_ENTRIES", 20000, minimum=0)},
    }
}

# Cases: uploads, the acceptance window, and when the status light turns amber.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 10, minimum=1) * 1_048_576
# A request body is refused from its Content-Length before anything reads it when it is larger
# than one file plus room for the form's other fields (core.middleware.SecurityHeadersMiddleware).
REQUEST_MAX_BYTES = UPLOAD_MAX_BYTES + 1_048_576
# Bodies other than files are read into memory up to this size; uploaded files larger than
# FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file while they are received.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# What an uploaded file may unpack to (onetrip/cases/uploads.py): an image's pixels before they
# are decoded (decompression bombs), an OFD package's entries (zip bombs).
UPLOAD_MAX_PIXELS = env_int("UPLOAD_MAX_MEGAPIXELS", 50, minimum=1) * 1_000_000
OFD_MAX_UNPACKED_BYTES = env_int("OFD_MAX_UNPACKED_MB", 100, minimum=1) * 1_048_576
OFD_MAX_ENTRIES = env_int("OFD_MAX_ENTRIES", 5000, minimum=1)
ACCEPTANCE_WINDOW_WORKDAYS = env_int("ACCEPTANCE_WINDOW_WORKDAYS", 5, minimum=1)
WARNING_WORKDAYS = env_int("WARNING_WORKDAYS", 2, minimum=0)
PROGRESS_LOOKUPS_PER_HOUR = env_int("PROGRESS_LOOKUPS_PER_HOUR", 20, minimum=1)
# The hall (onetrip/hall/rules.py): tickets one enrolled kiosk gives per minute, and booking codes
# tried at one kiosk per ten minutes (self check-in).
HALL_KIOSK_TICKETS_PER_MINUTE = env_int("HALL_KIOSK_TICKETS_PER_MINUTE", 20, minimum=1)
HALL_KIOSK_CHECK_INS_PER_10_MINUTES = env_int("HALL_KIOSK_CHECK_INS_PER_10_MINUTES", 30, minimum=1)
FILES_PER_MATERIAL = env_int("FILES_PER_MATERIAL", 10, minimum=1)
# Stored material files that no application points to (an upload cut off before its commit)
# are deleted by the cases.orphan_uploads job once they are this old.
ORPHAN_UPLOAD_GRACE_HOURS = env_int("ORPHAN_UPLOAD_GRACE_HOURS", 24, minimum=1)

# The district this installation serves.
DISTRICT_CODE = env_str("DISTRICT_CODE", "430703")
SITE_NAME = env_str("SITE_NAME", "鼎城区政务服务网")
PAGE_SIZE = env_int("PAGE_SIZE", 20, minimum=1)

# The trail (core/trail.py): checkpoints are signed with an Ed25519 key kept in a file outside the
# database (created on first use, mode 0600), or by another signer (an HSM) named by dotted path.
# Each new checkpoint is also appended to a JSON-lines file in the export directory, if set (a
# second store the database administrator cannot reach: another disk, a WORM share).
TRAIL_SIGNER = env_str("TRAIL_SIGNER", "onetrip.core.trail.FileSigner")
TRAIL_SIGNING_KEY_FILE = Path(env_str("TRAIL_SIGNING_KEY_FILE", str(VAR_DIR / "trail_signing_key.pem")))
TRAIL_CHECKPOINT_EXPORT_DIR = env_str("TRAIL_CHECKPOINT_EXPORT_DIR", "")

# Electronic licences (licenses/, docs/licenses.md): the district CA's keys and certificates live
# in a folder outside the database, each key an encrypted PKCS#8 file (passphrase: this setting,
# or derived from SECRET_KEY when empty); an HSM or SM2 provider replaces LICENSES_KEYSTORE.
LICENSES_KEY_DIR = Path(env_str("LICENSES_KEY_DIR", str(VAR_DIR / "licenses" / "keys")))
LICENSES_KEYSTORE = env_str("LICENSES_KEYSTORE", "onetrip.licenses.keystore.FileKeyStore")
SIGNING_KEY_PASSPHRASE = env_str("SIGNING_KEY_PASSPHRASE", "")
# The public address printed in QR codes by background work (a licence's verification page).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# A licence claimed by a worker that died is taken over after this long.
LICENSES_ISSUE_LEASE_SECONDS = env_int("LICENSES_ISSUE_LEASE_SECONDS", 300, minimum=10)

# E-supervision cards (supervision/rules.py, docs/supervision.md): a red card for a case overdue
# by more than this many working days, and for a department with this many yellow cards within
# the period (calendar days); the default time limit of a supervision order (督办), working days.
SUPERVISION_RED_OVERDUE_WORKDAYS = env_int("SUPERVISION_RED_OVERDUE_WORKDAYS", 5, minimum=1)
SUPERVISION_RED_YELLOW_CARDS = env_int("SUPERVISION_RED_YELLOW_CARDS", 3, minimum=2)
SUPERVISION_RED_PERIOD_DAYS = env_int("SUPERVISION_RED_PERIOD_DAYS", 30, minimum=1)
SUPERVISION_ORDER_WORKDAYS = env_int("SUPERVISION_ORDER_WORKDAYS", 3, minimum=1)
# Hall tickets on the supervision desk: near the limit after this many minutes' wait, over it after the second.
SUPERVISION_TICKET_WAIT_WARNING_MINUTES = env_int("SUPERVISION_TICKET_WAIT_WARNING_MINUTES", 20, minimum=1)
SUPERVISION_TICKET_WAIT_LIMIT_MINUTES = env_int("SUPERVISION_TICKET_WAIT_LIMIT_MINUTES", 30, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# 统一支付 / 快递送达: the shared secrets of the built-in sandbox payment provider and the local
# carrier (HMAC-SHA256 of their callbacks). Empty: derived from SECRET_KEY (fine for a demo; a
# district sets its own, shared with the provider's or carrier's side).
PAYMENT_SANDBOX_SECRET = env_str("PAYMENT_SANDBOX_SECRET", "")
DELIVERY_LOCAL_CARRIER_SECRET = env_str("DELIVERY_LOCAL_CARRIER_SECRET", "")

# 好差评 (onetrip/ratings/rules.py): a case not rated within this many days of its invitation (sent
# when it closes) gets the default rating, 满意, recorded and shown as a default (default 15 days);
# every poor rating opens a rectification due in this many working days (default 5).
RATINGS_DEFAULT_AFTER_DAYS = env_int("RATINGS_DEFAULT_AFTER_DAYS", 15, minimum=1)
RATINGS_RECTIFICATION_WORKDAYS = env_int("RATINGS_RECTIFICATION_WORKDAYS", 5, minimum=1)

# 12345 热线 (onetrip/hotline/rules.py, docs/hotline.md). Time limits per type of ticket, in working
# days after the day it was received: the national guidance (国办发〔2020〕53号) leaves the figures
# to local rules; the defaults are the district's choice, after Guangdong's 12345 rules (求助 and
# 建议 10, 投诉 and 举报 15), with 咨询 in 1 (answered at once where the knowledge base can).
HOTLINE_LIMIT_CONSULTATION = env_int("HOTLINE_LIMIT_CONSULTATION", 1, minimum=0)
HOTLINE_LIMIT_HELP = env_int("HOTLINE_LIMIT_HELP", 10, minimum=1)
HOTLINE_LIMIT_COMPLAINT = env_int("HOTLINE_LIMIT_COMPLAINT", 15, minimum=1)
HOTLINE_LIMIT_REPORT = env_int("HOTLINE_LIMIT_REPORT", 15, minimum=1)
HOTLINE_LIMIT_SUGGESTION = env_int("HOTLINE_LIMIT_SUGGESTION", 10, minimum=1)
# Requests sent through the public web form (/hotline/new/) per client address and hour.
HOTLINE_WEB_REQUESTS_PER_HOUR = env_int("HOTLINE_WEB_REQUESTS_PER_HOUR", 10, minimum=1)
# A department acknowledges (签收) a dispatched ticket within this many hours (default 2).
HOTLINE_ACK_HOURS = env_int("HOTLINE_ACK_HOURS", 2, minimum=1)
# One extension (延期) adds at most this many working days (default 10).
HOTLINE_EXTENSION_MAX_WORKDAYS = env_int("HOTLINE_EXTENSION_MAX_WORKDAYS", 10, minimum=1)
# Duplicates (重复诉求): the same caller within this many days, texts at least this similar (percent).
HOTLINE_DUPLICATE_DAYS = env_int("HOTLINE_DUPLICATE_DAYS", 30, minimum=1)
HOTLINE_DUPLICATE_SIMILARITY = env_int("HOTLINE_DUPLICATE_SIMILARITY", 50, minimum=1)
# Chat channels (onetrip/hotline/chat.py): the local webhook's HMAC secret (empty: the channel is
# off), messages per person and hour, and how long a conversation waits for the next message.
HOTLINE_CHAT_SECRET = env_str("HOTLINE_CHAT_SECRET", "")
HOTLINE_CHAT_MESSAGES_PER_HOUR = env_int("HOTLINE_CHAT_MESSAGES_PER_HOUR", 60, minimum=1)
HOTLINE_CHAT_SESSION_MINUTES = env_int("HOTLINE_CHAT_SESSION_MINUTES", 30, minimum=1)

# 知识库 (onetrip/knowledge, docs/knowledge.md): "did this answer help?" answers per client
# address and hour on the self-service page and the API (default 30).
KNOWLEDGE_FEEDBACK_PER_HOUR = env_int("KNOWLEDGE_FEEDBACK_PER_HOUR", 30, minimum=1)
