"""What a validator reviews before signing off: exactly the content the signature covers.

A sign-off records the SHA-256 of the canonical content (`profiles.content`).
So the validator's page must show every text that hash covers, and the server
must accept the signature only for the hash the page showed:

- `review(assessment)` builds the canonical content once and returns it with its
  hash, the languages being validated, and each language's readable view
  (`content.localized`), so the page and the hash come from the same dict;
- the sign-off form carries that hash back (`reviewed_hash`), and
  `workflow.record_sign_off` refuses a signature whose hash is no longer the
  current one: content changed after the page was opened, so the validator has
  not seen what they would sign.

`signed_texts(content)` lists every text leaf of the content by its path; the
tests use it to prove the page shows all of them, so a field added to the
content later cannot be signed unseen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from profiles import content as profile_content
from profiles.models import Assessment

#: Content keys whose values are codes; the page shows their labels instead.
CODE_KEYS = frozenset(
    {"kind", "answer", "progress", "level", "country", "original_language", "slug"}
)


@dataclass(frozen=True)
class LanguageView:
    """The content as readers of one validated language will see it."""

    language: str
    content: dict
    is_original: bool


@dataclass(frozen=True)
class Review:
    """Everything the validator's page shows, from one build of the content."""

    content: dict
    content_hash: str
    canonical_json: str
    languages: list[str]
    views: list[LanguageView]


def review(assessment: Assessment) -> Review:
    """Build the content once; its hash is the one the page asks the validator to sign."""
    content = profile_content.build(assessment)
    languages = [content["original_language"], *content["translations"]]
    views = [
        LanguageView(
            language=language,
            content=profile_content.localized(content, language)[0],
            is_original=language == content["original_language"],
        )
        for language in languages
    ]
    return Review(
        content=content,
        content_hash=profile_content.digest(content),
        canonical_json=profile_content.canonical_json(content).decode("utf-8"),
        languages=languages,
        views=views,
    )


def current_hash(assessment: Assessment) -> str:
    """The hash a sign-off made now would have to name."""
    return profile_content.digest(profile_content.build(assessment))


def signed_texts(content: dict, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) for every non-empty string in `content`, codes excepted."""
    if isinstance(content, dict):
        for key, value in content.items():
            if key in CODE_KEYS and isinstance(value, str):
                continue
            yield from signed_texts(value, f"{path}.{key}" if path else str(key))
    elif isinstance(content, list):
        for index, value in enumerate(content):
            yield from signed_texts(value, f"{path}[{index}]")
    elif isinstance(content, str) and content.strip():
        yield path, content
