"""The canonical content of an assessment: what a government validates and the public reads.

`build(assessment)` gathers everything a profile shows into one plain,
JSON-serialisable dict, in framework order. `digest(content)` is the SHA-256 of
its canonical JSON encoding (sorted keys, no whitespace, UTF-8). The sign-off
records that digest and the publication freezes the same dict, so "what was
validated" and "what is published" can be compared byte for byte.
"""

import copy
import hashlib
import json
from collections import defaultdict

from django.db.models import Prefetch

from indicators.models import Dimension, Indicator
from profiles.models import (
    Answer,
    Assessment,
    ContentTranslation,
    Finding,
    FollowUp,
    Publication,
)

#: 2: context figures carry their `id` and follow-ups their `finding_id`, so their
#: texts have stable translation keys.
CONTENT_FORMAT = 2

#: The translatable fields of each part (see `translatable_texts`).
ANSWER_TEXTS = ("justification", "evidence")
SOURCE_TEXTS = ("title", "issuer")
FIGURE_TEXTS = ("label", "unit", "source")
FOLLOW_UP_TEXTS = ("finding", "note")

#: A translated field's state (`field_states`).
CURRENT, STALE, MISSING = "current", "stale", "missing"


def canonical_json(content: dict) -> bytes:
    """The one byte encoding that hashes are computed over."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def digest(content: dict) -> str:
    """SHA-256 (hex) of the canonical encoding of `content`."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


def translatable_texts(content: dict) -> dict[str, str]:
    """The original-language texts a translator translates, by stable key.

    Every text a government writes that a profile shows, and nothing else: framework
    wording is translated in the framework files, codes and numbers need none.
    Keys name where the text sits (`introduction`, `answer:MGI-D1.1-01:justification`,
    `finding:12`, `source:4:title`, `figure:7:unit`, `follow_up:12:note`) so a
    translation survives reordering. A follow-up's `finding` is the earlier round's
    published text, quoted here, so it is translated with this round.
    """
    texts = {"introduction": content["introduction"], "summary": content["summary"]}
    for dimension in content["dimensions"]:
        for finding in dimension["findings"]:
            texts[f"finding:{finding['id']}"] = finding["text"]
        for area in dimension["areas"]:
            for item in area["indicators"]:
                for field in ANSWER_TEXTS:
                    texts[f"answer:{item['code']}:{field}"] = item[field]
    for source in content["sources"]:
        for field in SOURCE_TEXTS:
            texts[f"source:{source['id']}:{field}"] = source[field]
    for figure in content.get("context_figures", []):
        if "id" in figure:  # frozen before format 2: no stable key
            for field in FIGURE_TEXTS:
                texts[f"figure:{figure['id']}:{field}"] = figure[field]
    for follow_up in content.get("follow_ups", []):
        if "finding_id" in follow_up:
            for field in FOLLOW_UP_TEXTS:
                texts[f"follow_up:{follow_up['finding_id']}:{field}"] = follow_up[field]
    return {key: value for key, value in texts.items() if value}


def text_hash(text: str) -> str:
    """SHA-256 (hex) of one original text: what a translated field records it was made from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_hashes(originals: dict[str, str]) -> dict[str, str]:
    """`ContentTranslation.source_hashes` for fields translated from these `originals`."""
    return {key: text_hash(text) for key, text in originals.items()}


def field_states(
    originals: dict[str, str], texts: dict[str, str], source_hashes: dict[str, str]
) -> dict[str, str]:
    """CURRENT, STALE or MISSING for each original text's translation.

    A translated field is current while its original is the text it was made from
    (`source_hashes[key]` is that text's `text_hash`), and stale once the original
    changed, or when it is not known what it was made from.
    """
    states = {}
    for key, original in originals.items():
        if not texts.get(key):
            states[key] = MISSING
        elif source_hashes.get(key) == text_hash(original):
            states[key] = CURRENT
        else:
            states[key] = STALE
    return states


def build(assessment: Assessment, *, include_translations: bool = True) -> dict:
    """Gather an assessment's whole public content in framework order.

    Issues a fixed number of queries whatever the number of indicators. With
    `include_translations`, translations that are current (made from the present
    original text) are included under `translations`.
    """
    assessment = (
        Assessment.objects.select_related("government", "framework")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.prefetch_related("sources").only(
                    "assessment_id", "indicator_id", "value", "justification", "evidence"
                ),
            ),
            Prefetch("findings", queryset=Finding.objects.order_by("kind", "position", "pk")),
            "sources",
            "context_figures",
            Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.only(
                    "assessment_id", "finding_id", "progress", "note"
                ).order_by("pk"),
            ),
        )
        .get(pk=assessment.pk)
    )
    government = assessment.government
    framework = assessment.framework
    earlier = published_earlier_round(assessment)
    answers = {a.indicator_id: a for a in assessment.answers.all()}
    findings = defaultdict(list)
    for finding in assessment.findings.all():
        findings[finding.dimension_id].append(finding)

    indicators = (
        Indicator.objects.filter(framework=framework)
        .current()
        .in_order()
        .prefetch_related("gcm_objectives", "sdg_domains", "equivalent")
    )
    by_area = defaultdict(list)
    for indicator in indicators:
        by_area[indicator.area_id].append(indicator)
    dimensions = Dimension.objects.filter(framework=framework).prefetch_related("areas")

    content = {
        "format": CONTENT_FORMAT,
        "government": {
            "slug": government.slug,
            "level": government.level,
            "kind": government.kind,
            "country": government.country.code,
            "name": government.name,
        },
        "year": assessment.year,
        "round": assessment.round_number,
        "previous_year": earlier["year"] if earlier else None,
        "framework": {
            "slug": framework.slug,
            "name": framework.name,
            "version": framework.version,
            "wording_note": framework.wording_note,
            "i18n": _wording(framework.i18n, ("name", "wording_note")),
        },
        "original_language": assessment.original_language,
        "is_sample": assessment.is_sample,
        "introduction": assessment.introduction,
        "summary": assessment.summary,
        "dimensions": [
            {
                "code": dimension.code,
                "short_name": dimension.short_name,
                "long_name": dimension.long_name,
                "migof_element": dimension.migof_element,
                "i18n": _wording(dimension.i18n, ("short_name", "long_name", "migof_element")),
                "findings": [
                    {
                        "id": f.pk,
                        "kind": f.kind,
                        "text": f.text,
                        "is_good_practice": f.is_good_practice,
                    }
                    for f in findings[dimension.pk]
                ],
                "areas": [
                    {
                        "code": area.code,
                        "name": area.name,
                        "i18n": _wording(area.i18n, ("name",)),
                        "indicators": [
                            _indicator(indicator, answers.get(indicator.pk))
                            for indicator in by_area[area.pk]
                        ],
                    }
                    for area in dimension.areas.all()
                    if by_area[area.pk]
                ],
            }
            for dimension in dimensions
        ],
        "sources": [
            {
                "id": s.pk,
                "title": s.title,
                "kind": s.kind,
                "issuer": s.issuer,
                "year": s.year,
                "url": s.url,
                "archived_copy": s.archived_copy.name or "",
            }
            for s in sorted(assessment.sources.all(), key=lambda s: (s.kind, s.title, s.pk))
        ],
        "context_figures": [
            {
                "id": f.pk,
                "kind": f.kind,
                "label": f.label,
                "value": format(f.value.normalize(), "f"),
                "unit": f.unit,
                "year": f.year,
                "source": f.source,
                "source_url": f.source_url,
            }
            for f in assessment.context_figures.all()
        ],
        "follow_ups": _follow_ups(assessment, earlier),
    }
    content["translations"] = (
        current_translations(assessment, content) if include_translations else {}
    )
    return content


def published_earlier_round(assessment: Assessment) -> dict | None:
    """The earlier round as the public last saw it: its newest live publication's content.

    A follow-up round reports progress on the earlier round's findings, and that
    report becomes public with the follow-up. So it may quote the earlier round only
    as it was published: never its live rows, which may be a draft correction or a
    round that was never published. None when the earlier round has no live
    publication (then the follow-up shows no progress list and no earlier year).
    """
    if assessment.previous_id is None:
        return None
    publication = (
        Publication.objects.live()
        .filter(assessment_id=assessment.previous_id)
        .only("year", "version", "content")
        .order_by("-version")
        .first()
    )
    if publication is None:
        return None
    return {
        "year": publication.year,
        "version": publication.version,
        "findings": {
            finding["id"]: {**finding, "dimension": dimension["code"]}
            for dimension in publication.content["dimensions"]
            for finding in dimension["findings"]
        },
    }


def _follow_ups(assessment: Assessment, earlier: dict | None) -> list[dict]:
    """Progress on the earlier round's published areas for development, in its order.

    A progress record whose finding is not in the published earlier round (added by
    a correction in progress, or the round was never public) is left out: its text
    has not been published and must not become public through this round.
    """
    if earlier is None:
        return []
    published = earlier["findings"]
    order = {finding_id: position for position, finding_id in enumerate(published)}
    rows = [f for f in assessment.follow_ups.all() if f.finding_id in published]
    rows.sort(key=lambda f: order[f.finding_id])
    return [
        {
            "dimension": published[f.finding_id]["dimension"],
            "finding_id": f.finding_id,
            "finding": published[f.finding_id]["text"],
            "progress": f.progress,
            "note": f.note,
        }
        for f in rows
    ]


def _wording(i18n: dict[str, dict[str, str]], fields: tuple[str, ...]) -> dict:
    """The framework files' translations of the `fields` a profile shows, per language.

    The frameworks carry more (guidance, descriptions) than a profile shows; freezing
    only what is shown keeps the signed content equal to what the validator reads.
    """
    kept = {
        language: {field: texts[field] for field in fields if texts.get(field)}
        for language, texts in i18n.items()
    }
    return {language: texts for language, texts in kept.items() if texts}


def _indicator(indicator: Indicator, answer: Answer | None) -> dict:
    return {
        "code": indicator.code,
        "question": indicator.question,
        "i18n": _wording(indicator.i18n, ("question",)),
        "gcm_objectives": [o.number for o in indicator.gcm_objectives.all()],
        "sdg_domains": [d.code for d in indicator.sdg_domains.all()],
        "equivalent": indicator.equivalent.code if indicator.equivalent else None,
        "answer": answer.value if answer else "",
        "justification": answer.justification if answer else "",
        "evidence": answer.evidence if answer else "",
        "sources": sorted(s.pk for s in answer.sources.all()) if answer else [],
    }


def current_translations(assessment: Assessment, content: dict) -> dict[str, dict[str, str]]:
    """Each language's current translated fields (made from the present original text).

    Stale and missing fields are left out, so readers see their original instead;
    a language with no current field is left out altogether.
    """
    originals = translatable_texts(content)
    translations = {}
    for t in (
        ContentTranslation.objects.filter(assessment=assessment)
        .exclude(language=assessment.original_language)
        .order_by("language")
    ):
        states = field_states(originals, t.texts, t.source_hashes)
        current = {key: t.texts[key] for key, state in states.items() if state == CURRENT}
        if current:
            translations[t.language] = current
    return translations


def shown_language(content: dict, language: str, key: str) -> str:
    """The language the text under `key` appears in on a `language` page, if not that one.

    "" when the text is in the page's language (written in it, or currently
    translated into it); else the original language, which the page must mark
    (`lang` and `dir`) so the text is not laid out in the page's direction.
    """
    original = content["original_language"]
    if language == original or content.get("translations", {}).get(language, {}).get(key):
        return ""
    return original


def localized(content: dict, language: str) -> tuple[dict, bool]:
    """A copy of frozen `content` with its texts in `language` where translated.

    Returns (content, fully_translated). Untranslated texts stay in the original
    language, and callers show a note saying so. Framework text (questions,
    dimension and area names) is translated through each item's `i18n`.
    """
    if language == content["original_language"]:
        return content, True
    texts = content.get("translations", {}).get(language)
    if not texts:
        return content, False
    result = copy.deepcopy(content)

    def apply(item: dict, prefix: str, fields: tuple[str, ...]) -> None:
        for field in fields:
            item[field] = texts.get(f"{prefix}:{field}") or item[field]

    for key in ("introduction", "summary"):
        result[key] = texts.get(key) or result[key]
    for dimension in result["dimensions"]:
        for finding in dimension["findings"]:
            finding["text"] = texts.get(f"finding:{finding['id']}") or finding["text"]
        for area in dimension["areas"]:
            for item in area["indicators"]:
                apply(item, f"answer:{item['code']}", ANSWER_TEXTS)
    for source in result["sources"]:
        apply(source, f"source:{source['id']}", SOURCE_TEXTS)
    for figure in result.get("context_figures", []):
        if "id" in figure:
            apply(figure, f"figure:{figure['id']}", FIGURE_TEXTS)
    for follow_up in result.get("follow_ups", []):
        if "finding_id" in follow_up:
            apply(follow_up, f"follow_up:{follow_up['finding_id']}", FOLLOW_UP_TEXTS)
    return result, all(texts.get(key) for key in translatable_texts(content))
