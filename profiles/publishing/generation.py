"""Generations of published content: tokens that change when what the public reads changes.

The public site's page cache (`profiles.public.caching`) keys every entry by the
generations of the content the page shows, so changing a token forgets exactly
the pages that showed it. There are three kinds:

- the **site** generation, part of every key: `public_content_changed` replaces
  it when everything may have changed (pages re-rendered by `rerender`);
- the **list** generation, for pages that quote many governments (home, the
  profiles list, indicator and good-practice pages, sitemaps);
- one generation **per government**, for a government's own pages. A profile
  page also shows the other live profiles of its country (a national profile
  lists its local ones, a local profile links its national one), so a change to
  one government replaces the tokens of every government of its country.

`government_changed` (a publication withdrawn) and `publication_changed` (a
publication became ready) replace the list generation and the country's, so at
10,000 governments one publication leaves the pages of every other country cached.
Tokens are random rather than counters: a token evicted from the cache is
replaced by a new one, never by a value an old entry was stored under.
It lives here, with the events that change it, so publishing never has to
import the public site.
"""

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from profiles.models import Government, Publication

SITE_KEY = "public-pages:generation"
LIST_KEY = "public-pages:generation:list"


def government_key(slug: str) -> str:
    """The cache key holding the generation of one government's pages."""
    return f"public-pages:generation:government:{slug}"


def current(keys: Iterable[str]) -> str:
    """The generations held under `keys`, joined; a missing one gets a fresh token.

    One cache round trip when every token is present (the usual case).
    """
    keys = [SITE_KEY, *keys]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, timeout=None)  # another process may win the race
            found[key] = cache.get(key)
    return ".".join(str(found[key]) for key in keys)


def _replace_on_commit(keys: list[str]) -> None:
    transaction.on_commit(
        lambda: cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)
    )


def public_content_changed() -> None:
    """Forget every cached public page once the current transaction commits."""
    _replace_on_commit([SITE_KEY])


def government_changed(government_id: int) -> None:
    """Forget the list pages and the pages of the government's country, after commit."""
    country = Government.objects.filter(pk=government_id).values("country")
    slugs = Government.objects.filter(country__in=country).values_list("slug", flat=True)
    _replace_on_commit([LIST_KEY, *(government_key(slug) for slug in slugs)])


def publication_changed(publication_id: int) -> None:
    """`government_changed` for the government of a publication (one became ready)."""
    government_changed(
        Publication.objects.values_list("government_id", flat=True).get(pk=publication_id)
    )
