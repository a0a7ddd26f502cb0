"""`{% search_hit publication query as hit %}`: why a profile matched a search, for the list."""

from django import template

from profiles.models import Publication
from profiles.public.search import Hit

register = template.Library()


@register.simple_tag
def search_hit(publication: Publication, query: str) -> Hit | None:
    """The row's highlighted snippet and the anchor it links to; None without a text match."""
    if not query:
        return None
    return Hit.of(publication, query)
