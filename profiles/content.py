"""The canonical content of an assessment: what a government validates and the public reads.

`build(assessment)` gathers everything a profile shows into one plain,
JSON-serialisable dict, in framework order. `digest(content)` is the SHA-256 of
its canonical JSON encoding (sorted keys, no whitespace, UTF-8). The sign-off
records that digest and the publication freezes the same dict, so "what was
validated" and "what is published" can be compared byte for byte.
"""

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

CONTENT_FORMAT = 1


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

    Keys name where the text sits (`introduction`, `answer:MGI-D1.1-01:justification`,
    `finding:12`, `source:4:title`) so a translation survives reordering.
    """
    texts = {"introduction": content["introduction"], "summary": content["summary"]}
    for dimension in content["dimensions"]:
        for finding in dimension["findings"]:
            texts[f"finding:{finding['id']}"] = finding["text"]
        for area in dimension["areas"]:
            for item in area["indicators"]:
                if item["justification"]:
                    texts[f"answer:{item['code']}:justification"] = item["justification"]
    for source in content["sources"]:
        texts[f"source:{source['id']}:title"] = source["title"]
    return {key: value for key, value in texts.items() if value}


def original_digest(content: dict) -> str:
    """Hash of the original-language texts; a translation made from another hash is stale."""
    return digest({"texts": translatable_texts(content)})


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
                "i18n": dimension.i18n,
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
                        "i18n": area.i18n,
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
            "finding": published[f.finding_id]["text"],
            "progress": f.progress,
            "note": f.note,
        }
        for f in rows
    ]


def _indicator(indicator: Indicator, answer: Answer | None) -> dict:
    return {
        "code": indicator.code,
        "question": indicator.question,
        "i18n": indicator.i18n,
        "gcm_objectives": [o.number for o in indicator.gcm_objectives.all()],
        "sdg_domains": [d.code for d in indicator.sdg_domains.all()],
        "equivalent": indicator.equivalent.code if indicator.equivalent else None,
        "answer": answer.value if answer else "",
        "justification": answer.justification if answer else "",
        "evidence": answer.evidence if answer else "",
        "sources": sorted(s.pk for s in answer.sources.all()) if answer else [],
    }


def current_translations(assessment: Assessment, content: dict) -> dict[str, dict[str, str]]:
    """Translations made from the present original text, by language."""
    source_hash = original_digest(content)
    return {
        t.language: t.texts
        for t in ContentTranslation.objects.filter(assessment=assessment, source_hash=source_hash)
        .exclude(language=assessment.original_language)
        .order_by("language")
    }


def localized(content: dict, language: str) -> tuple[dict, bool]:
    """A copy of frozen `content` with its texts in `language` where translated.

    Returns (content, fully_translated). Untranslated texts stay in the original
    language, and callers show a note saying so. Framework text (questions,
    dimension and area names) is translated through each item's `i18n`.
    """
    import copy

    if language == content["original_language"]:
        return content, True
    texts = content.get("translations", {}).get(language)
    if not texts:
        return content, False
    result = copy.deepcopy(content)
    originals = translatable_texts(content)
    for key in ("introduction", "summary"):
        result[key] = texts.get(key) or result[key]
    for dimension in result["dimensions"]:
        for finding in dimension["findings"]:
            finding["text"] = texts.get(f"finding:{finding['id']}") or finding["text"]
        for area in dimension["areas"]:
            for item in area["indicators"]:
                key = f"answer:{item['code']}:justification"
                item["justification"] = texts.get(key) or item["justification"]
    for source in result["sources"]:
        source["title"] = texts.get(f"source:{source['id']}:title") or source["title"]
    return result, all(texts.get(key) for key in originals)
