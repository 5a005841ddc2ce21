"""Test settings: fast, deterministic, no outside world."""

from .settings import *  # noqa: F403
from .settings import DATABASES, MIDDLEWARE

DEBUG = False
# No persistent connections: the live server answers each browser connection in a thread of its
# own, and a connection kept open there outlives the test and blocks dropping the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0
SECURE_SSL = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
REQUIRE_STAFF_MFA = True
ACCOUNT_RATE_LIMITS = False
AXES_FAILURE_LIMIT = 5
MIDDLEWARE = list(MIDDLEWARE)
