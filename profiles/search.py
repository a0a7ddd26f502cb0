"""Full-text search documents: built at publication, from the frozen content's values.

`documents(content, languages)` turns a publication's frozen content into one
plain-text document per language it is published in, with `sections` that map
character offsets to the profile page's anchors (`dimension-2`,
`indicator-mgi-d2-1-01`, `source-4`, `summary`). Only values go in (never JSON
keys), so `migof_element` or `is_good_practice` match nothing. Every document
carries the government's name in every UI language, so `/fr/profiles/?q=allemagne`
finds Germany whatever language its profile is written in.

`index(publication)` stores the documents (`PublicationSearch`) and, on
PostgreSQL, their `tsvector`s, built with the language's configuration:
`mgi_english`, `mgi_french`, `mgi_spanish` (the built-in stemmers behind
`unaccent`, so `politica` finds `política`) and `mgi_simple` (no stemmer) for
Arabic, which `normalise` also folds in Python (tashkeel, tatweel, alef forms),
for documents and queries alike. Migration 0005 creates those configurations.

May import: profiles.models, profiles.content. Used by profiles.publishing (to
index) and profiles.public / profiles.api (to query).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.utils import translation
from django.utils.text import slugify
from django_countries import countries

from profiles import content as profile_content
from profiles.models import Publication, PublicationSearch

#: The PostgreSQL text search configuration for each language's documents and queries.
CONFIGS = {"en": "mgi_english", "fr": "mgi_french", "es": "mgi_spanish", "ar": "mgi_simple"}
DEFAULT_CONFIG = "mgi_simple"

#: Arabic diacritics (tashkeel, including the dagger alef) and the tatweel, removed.
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
#: Alef with hamza above or below, with madda, and alef wasla: all read as a bare alef.
_ALEF_FORMS = str.maketrans(
    {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627"}
)

SEPARATOR = "\n\n"


def config_for(language: str) -> str:
    """The text search configuration for documents and queries in `language`."""
    return CONFIGS.get(language, DEFAULT_CONFIG)


def normalise(text: str) -> str:
    """Fold Arabic spellings that readers type interchangeably; other scripts pass through.

    Applied to documents and queries alike, so a word typed without its vowel
    marks finds the vowelled spelling, and the four alef forms are one letter.
    Latin accents are folded by PostgreSQL (`unaccent`) instead, so snippets keep them.
    """
    return _ARABIC_MARKS.sub("", text).translate(_ALEF_FORMS)


@dataclass
class Document:
    """One language's searchable text and where each piece sits on the profile page."""

    language: str
    parts: list[str] = field(default_factory=list)
    sections: list[tuple[int, str]] = field(default_factory=list)
    length: int = 0

    def add(self, text: str, anchor: str) -> None:
        text = normalise(" ".join(str(text or "").split()))
        if not text:
            return
        if self.parts:
            self.length += len(SEPARATOR)
        if not self.sections or self.sections[-1][1] != anchor:
            self.sections.append((self.length, anchor))
        self.parts.append(text)
        self.length += len(text)

    @property
    def text(self) -> str:
        return SEPARATOR.join(self.parts)


def government_names(government: dict) -> list[str]:
    """The names a reader may search a government by, in every UI language, and its slug.

    A national government is its country, named by django-countries in each
    language; a local government is its own name (its country's name would make
    every city of a country match a search for the country).
    """
    slug = government.get("slug") or ""
    if government.get("level") == "local" and government.get("name"):
        return [government["name"], slug]
    names = []
    for language, _label in settings.LANGUAGES:
        with translation.override(language):
            name = str(countries.name(government["country"]))
        if name and name not in names:
            names.append(name)
    return [*(names or [government.get("name") or government["country"]]), slug]


def document(content: dict, language: str) -> Document:
    """The searchable text of frozen `content` as a reader of `language` sees it."""
    localized, _complete = profile_content.localized(content, language)
    doc = Document(language=language)
    for name in government_names(content["government"]):
        doc.add(name, "")
    doc.add(localized["summary"], "summary")
    doc.add(localized["introduction"], "introduction")
    for dimension in localized["dimensions"]:
        for finding in dimension["findings"]:
            doc.add(finding["text"], f"dimension-{dimension['code']}")
        for area in dimension["areas"]:
            for item in area["indicators"]:
                anchor = f"indicator-{slugify(item['code'])}"
                doc.add(item["justification"], anchor)
                doc.add(item["evidence"], anchor)
    for source in localized["sources"]:
        doc.add(source["title"], f"source-{source['id']}")
    return doc


def languages_of(content: dict, languages: Iterable[str]) -> list[str]:
    """The languages a publication is searchable in: its original, then its others."""
    return list(dict.fromkeys([content.get("original_language") or "en", *languages]))


def documents(content: dict, languages: Iterable[str]) -> list[Document]:
    """One document per language the publication is published in."""
    return [document(content, language) for language in languages_of(content, languages)]


def index(publication: Publication) -> None:
    """Store `publication`'s search documents (replacing any), with vectors on PostgreSQL."""
    PublicationSearch.objects.filter(publication=publication).delete()
    rows = [
        PublicationSearch(
            publication=publication,
            language=doc.language,
            document=doc.text,
            sections=[list(section) for section in doc.sections],
        )
        for doc in documents(publication.content, publication.languages)
    ]
    PublicationSearch.objects.bulk_create(rows)
    build_vectors(PublicationSearch.objects.filter(publication=publication))


def build_vectors(rows) -> None:
    """Compute `vector` for `rows` in SQL, one UPDATE per language (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    for language in set(rows.values_list("language", flat=True)):
        rows.filter(language=language).update(
            vector=SearchVector("document", config=config_for(language))
        )
