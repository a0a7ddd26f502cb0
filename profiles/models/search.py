"""Search documents: what a reader can find a publication by, one row per language.

A publication's search document is built once, at publication, from the *values*
of its frozen content (names, narrative, findings, justifications, evidence,
source titles), never from its JSON, so keys such as `migof_element` cannot
match. `sections` maps character offsets of `document` to the profile page's
anchors, so a hit can link to the dimension or indicator it came from.

On PostgreSQL `vector` holds the document's `tsvector` (built with the
language's text search configuration, see `profiles.search`), with one partial
GIN index per language created by migration 0005 (they cannot be declared here: the
model also runs on SQLite, where the column stays empty and search reads `document`).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from profiles.models.publications import Publication


class PublicationSearch(models.Model):
    """One publication's searchable text in one of its languages."""

    publication = models.ForeignKey(
        Publication,
        models.CASCADE,
        related_name="search_documents",
        verbose_name=_("publication"),
    )
    language = models.CharField(_("language"), max_length=8)
    document = models.TextField(_("document"))
    vector = SearchVectorField(_("search vector"), null=True, editable=False)
    sections = models.JSONField(
        _("sections"),
        default=list,
        help_text=_("[start offset, page anchor] pairs, in document order."),
    )

    class Meta:
        verbose_name = _("publication search document")
        verbose_name_plural = _("publication search documents")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "language"], name="one_search_document_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.publication_id} ({self.language})"
