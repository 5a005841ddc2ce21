"""Settings for `make bench`: production settings, served over plain HTTP on 127.0.0.1.

The product's settings are used unchanged (DEBUG off, manifest static files, the cache backend
the environment chooses) except that HTTPS-only behaviour is switched off, because the benchmark
talks plain HTTP to 127.0.0.1, and the URLs add a bare hello-world view to compare with.
"""

from netzerohub.config.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "benchurls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

SECURE_SSL = False
SECURE_SSL_REDIRECT = False
SECURE_PROXY_SSL_HEADER = None
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
