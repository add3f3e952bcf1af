"""Tiyu settings: the one module that reads the environment.

Every knob comes from an environment variable with a safe production default
(DEBUG off, a secret that must be set outside development). The embedded default
database is SQLite in WAL mode under ``TIYU_DATA_DIR``; ``DATABASE_URL`` switches
to PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(os.environ.get("TIYU_DATA_DIR", PROJECT_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("TIYU_TESTING", False)
_DEV_SECRET = "tiyu-insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or (_DEV_SECRET if DEBUG or TESTING else "")
if not SECRET_KEY and env_bool("TIYU_DEMO"):
    # The demo keeps a random key next to its data, so sessions survive restarts.
    _key_file = DATA_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set (or DEBUG=1 for development).")

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs page from its bundled files, not a CDN
    "django_htmx",
    "huey.contrib.djhuey",
    "axes",
    "tiyu.core",
    "tiyu.regions",
    "tiyu.accounts",
    "tiyu.venues",
    "tiyu.notices",
    "tiyu.wallet",
    "tiyu.payments",
    "tiyu.booking",
    "tiyu.traffic",
    "tiyu.environment",
    "tiyu.devices",
    "tiyu.lighting",
    "tiyu.portal",
    "tiyu.backoffice",
    "tiyu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tiyu.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tiyu.config.urls"
WSGI_APPLICATION = "tiyu.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tiyu.core.context.site",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "tiyu.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue
                # instead of failing mid-transaction with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Auth -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tiyu.accounts.backends.UsernameOrPhoneBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tiyu.accounts.lockout.lockout_response"
# Lock out per account (the usual brute-force target); per-IP locking would shut a
# whole office behind one NAT out after one person mistypes.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
API_TOKEN_TTL_HOURS = int(os.environ.get("API_TOKEN_TTL_HOURS", "720"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- i18n -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static and uploads ---------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start-up when it is missing
_STATIC_SOURCES: list[Path | tuple[str, Path]] = [
    BASE_DIR / "static",
    ("vendor/echarts", PROJECT_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/leaflet", PROJECT_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/bootstrap", PROJECT_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/gcoord", PROJECT_DIR / "node_modules" / "gcoord" / "dist"),
    ("vendor/jsqr", PROJECT_DIR / "node_modules" / "jsqr" / "dist"),
]
# Leave out vendor folders npm has not installed yet (collectstatic would fail).
STATICFILES_DIRS = [
    d for d in _STATIC_SOURCES if Path(d[1] if isinstance(d, tuple) else d).exists()
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Map ------------------------------------------------------------------
# Tiles in GCJ-02 (AutoNavi and most Chinese providers) or WGS-84 (OpenStreetMap).
MAP_TILE_URL = os.environ.get(
    "MAP_TILE_URL", "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}"
)
MAP_TILE_CRS = os.environ.get("MAP_TILE_CRS", "gcj02")
MAP_TILE_SUBDOMAINS = os.environ.get("MAP_TILE_SUBDOMAINS", "1234")

# --- Jobs -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    from huey import RedisHuey

    HUEY = RedisHuey("tiyu", url=REDIS_URL, immediate=TESTING)
else:
    from huey import SqliteHuey

    HUEY = SqliteHuey("tiyu", filename=str(DATA_DIR / "huey.sqlite3"), immediate=TESTING)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Logging --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 20

if not DEBUG and not TESTING:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# --- Notices: outside channels of the inbox (docs/notices.md) -------------
import json as _json  # noqa: E402

# Comma-separated dotted paths of tiyu.notices.channels.Channel classes.
NOTICE_CHANNELS = [
    p.strip()
    for p in os.environ.get("NOTICE_CHANNELS", "tiyu.notices.channels.ConsoleChannel").split(",")
    if p.strip()
]
# WeChat messages open NOTICE_LINK_BASE + the notice's path, e.g. https://tiyu.example.cn
NOTICE_LINK_BASE = os.environ.get("NOTICE_LINK_BASE", "")
NOTICE_SMS = {  # Aliyun SMS; templates: {"kind": {"code": "SMS_1", "params": {"var": "title"}}}
    "access_key_id": os.environ.get("ALIYUN_SMS_ACCESS_KEY_ID", ""),
    "access_key_secret": os.environ.get("ALIYUN_SMS_ACCESS_KEY_SECRET", ""),
    "sign_name": os.environ.get("ALIYUN_SMS_SIGN_NAME", ""),
    "templates": _json.loads(os.environ.get("NOTICE_SMS_TEMPLATES") or "{}"),
}
NOTICE_WECHAT = {  # official account; templates: {"kind": {"id": "…", "fields": {…}}}
    "app_id": os.environ.get("WECHAT_MP_APP_ID", ""),
    "app_secret": os.environ.get("WECHAT_MP_APP_SECRET", ""),
    "templates": _json.loads(os.environ.get("NOTICE_WECHAT_TEMPLATES") or "{}"),
    "openid_resolver": os.environ.get("NOTICE_WECHAT_OPENID_RESOLVER", ""),
}

# --- Payments (docs/payments.md) -----------------------------------------
# The local sandbox (本地沙箱支付，演示，非真实支付) is what the demo pays with; on
# unless PAYMENTS_SANDBOX=0. Its RSA keys are generated on first use in this folder.
PAYMENTS_SANDBOX = env_bool("PAYMENTS_SANDBOX", True)
PAYMENTS_SANDBOX_KEY_DIR = DATA_DIR / "sandbox_keys"
# Public base URL the gateways call back, e.g. https://tiyu.example.cn
PAYMENTS_PUBLIC_URL = os.environ.get("PAYMENTS_PUBLIC_URL", "")
# WeChat Pay v3 ("platform public key" mode): enabled only when all of these are set.
_WECHATPAY_VARS = (
    "MCHID",
    "APPID",
    "APIV3_KEY",
    "CERT_SERIAL_NO",
    "PRIVATE_KEY_FILE",
    "PUBLIC_KEY_FILE",
    "PUBLIC_KEY_ID",
)
WECHATPAY = (
    {v.lower(): os.environ[f"WECHATPAY_{v}"] for v in _WECHATPAY_VARS}
    if all(os.environ.get(f"WECHATPAY_{v}") for v in _WECHATPAY_VARS)
    else None
)
# Alipay (RSA2): enabled only when the app id and both key files are set.
_ALIPAY_VARS = ("APPID", "APP_PRIVATE_KEY_FILE", "PUBLIC_KEY_FILE")
ALIPAY = (
    {
        **{v.lower(): os.environ[f"ALIPAY_{v}"] for v in _ALIPAY_VARS},
        "gateway_url": os.environ.get(
            "ALIPAY_GATEWAY_URL", "https://openapi.alipay.com/gateway.do"
        ),
        "mode": os.environ.get("ALIPAY_MODE", "page"),
    }
    if all(os.environ.get(f"ALIPAY_{v}") for v in _ALIPAY_VARS)
    else None
)
INSTALLED_APPS += ["tiyu.sandbox"]

# --- Devices and foot traffic (docs/devices.md, docs/traffic.md) --------------
# Raw gate events are kept this long (rollups forever); 3 years covers a subsidy audit.
TRAFFIC_RETENTION_DAYS = int(os.environ.get("TRAFFIC_RETENTION_DAYS", str(3 * 366)))
# A device clock may be this far ahead; a message may arrive this late (offline buffering).
DEVICE_MAX_AHEAD_MINUTES = int(os.environ.get("DEVICE_MAX_AHEAD_MINUTES", "5"))
DEVICE_MAX_LATE_HOURS = int(os.environ.get("DEVICE_MAX_LATE_HOURS", "72"))
# A signed request's timestamp must be this close to the server's clock.
DEVICE_SIGNATURE_WINDOW_SECONDS = int(os.environ.get("DEVICE_SIGNATURE_WINDOW_SECONDS", "300"))
DEVICE_BATCH_MAX = int(os.environ.get("DEVICE_BATCH_MAX", "1000"))
# A device not heard from for this long shows as offline.
DEVICE_OFFLINE_AFTER_SECONDS = int(os.environ.get("DEVICE_OFFLINE_AFTER_SECONDS", "300"))
MQTT_URL = os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883")
# An environment alert nobody acknowledged within this time is shown to the district.
ALERT_ESCALATE_MINUTES = int(os.environ.get("ALERT_ESCALATE_MINUTES", "30"))
