"""Production: secure values are not optional here (``check --deploy`` runs on this module)."""

from hub.settings.base import *  # noqa: F403
from hub.settings.env import ConfigurationError, env_bool, env_int, env_str

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY.startswith("insecure") or len(SECRET_KEY) < 50:
    raise ConfigurationError("SECRET_KEY must be a long random value in production")

DEBUG = False
DEMO_MODE = env_bool("DEMO_MODE", False)
REQUIRE_2FA = True
HUB_ACCEPT_TEST_NHS_NUMBERS = env_bool("HUB_ACCEPT_TEST_NHS_NUMBERS", False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
