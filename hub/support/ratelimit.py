"""Rate limits for the public pages, per client address, kept in Django's cache.

A sliding window: the cache holds the times of the recent hits for each address and
scope, so "5 an hour" means at most 5 in any hour, not 5 per clock hour. Refused
attempts are not recorded, so someone who waits gets in again. The address is hashed
before it becomes part of a cache key: nothing here stores or logs it.

Read and write are not atomic, so two requests at the same instant may both get the
last place; that is fine for slowing down floods, which is all this is for.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The address the request came from.

    ``REMOTE_ADDR`` unless ``HUB_TRUSTED_PROXY_COUNT`` says the hub sits behind that many
    proxies, each adding one address to ``X-Forwarded-For``: then the address the
    outermost trusted proxy saw. Never trusts more of the header than that, since a
    client can put anything at its start.
    """
    proxies = settings.HUB_TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def _key(scope: str, ip: str) -> str:
    digest = hashlib.sha256(ip.encode()).hexdigest()[:32]
    return f"hub:ratelimit:{scope}:{digest}"


def hit(request, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt at ``scope`` from the request's address; False if over the limit.

    An attempt that is refused is not counted.
    """
    if limit <= 0:
        return True
    key = _key(scope, client_ip(request))
    now = time.time()
    recent = [t for t in cache.get(key, []) if t > now - window_seconds]
    if len(recent) >= limit:
        return False
    recent.append(now)
    cache.set(key, recent, timeout=window_seconds)
    return True
