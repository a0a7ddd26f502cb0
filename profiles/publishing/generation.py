"""The generation of published content: a number that changes when what the public reads changes.

Publishing bumps it when a publication becomes ready and when one is withdrawn;
the public site's page cache (`profiles.public.caching`) keys every entry by it,
so one increment forgets every cached page at once. It lives here, with the
events that change it, so publishing never has to import the public site.
"""

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "public-pages:generation"


def current() -> int:
    """The current generation (0 until something is published or withdrawn)."""
    return int(cache.get_or_set(GENERATION_KEY, 0, timeout=None) or 0)


def public_content_changed() -> None:
    """Move to a new generation once the current transaction commits."""

    def bump() -> None:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # the key was evicted: any new value invalidates old entries
            cache.set(GENERATION_KEY, 1, timeout=None)

    transaction.on_commit(bump)
