"""Comparison pages' reads: two rounds of one government, a local beside its national profile.

Like `selectors`, everything starts from live publications and costs a fixed
number of queries: comparing two rounds is one query for the rounds and one for
the equivalences between framework versions, whatever the number of indicators.
Rounds made with different framework versions are matched through those
equivalences (`Indicator.equivalent`), never by code alone.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from indicators.models import Indicator, Level
from profiles import content as profile_content
from profiles.models import AnswerValue, Government, Publication

#: (framework slug, indicator code) -> the equivalent in the previous framework version.
Equivalences = dict[tuple[str, str], tuple[str, str]]


@dataclass(frozen=True)
class IndicatorChange:
    """One indicator of the later round beside its equivalent in the earlier one."""

    item: dict
    area: dict
    before: dict | None
    before_label: str
    after_label: str
    changed: bool


@dataclass(frozen=True)
class DimensionChanges:
    """The rows of one dimension of the later round."""

    dimension: dict
    rows: list[IndicatorChange]


@dataclass(frozen=True)
class RoundComparison:
    """What the compare-rounds page shows; `older` is None when there is nothing to compare."""

    rounds: list[Publication]
    older: Publication | None
    newer: Publication
    dimensions: list[DimensionChanges] = field(default_factory=list)
    #: (dimension code, follow-ups of the earlier round's findings), by dimension.
    follow_ups: list[tuple[int, list[dict]]] = field(default_factory=list)


def round_pair(
    *, slug: str, earlier: int | None, later: int | None
) -> tuple[list[Publication], Publication | None, Publication | None]:
    """Two live rounds of one government (latest version of each), for comparison.

    Defaults to the two newest rounds. Returns (rounds, earlier, later); raises
    Http404 when the government has no live publication.
    """
    rows = list(
        Publication.objects.live()
        .filter(government__slug=slug)
        .select_related("government", "framework")
        .order_by("-year", "-version")
    )
    if not rows:
        raise Http404("No published profile here.")
    rounds, seen = [], set()
    for p in rows:
        if p.year not in seen:
            seen.add(p.year)
            rounds.append(p)
    by_year = {p.year: p for p in rounds}
    newer = by_year.get(later) if later else rounds[0]
    older = by_year.get(earlier) if earlier else (rounds[1] if len(rounds) > 1 else None)
    return rounds, older, newer


def equivalence_map(level: str) -> Equivalences:
    """(framework slug, code) -> (previous framework slug, equivalent code), one query."""
    rows = Indicator.objects.filter(framework__level=level, equivalent__isnull=False).values_list(
        "framework__slug", "code", "equivalent__framework__slug", "equivalent__code"
    )
    return {(f, c): (ef, ec) for f, c, ef, ec in rows}


def compare_rounds(
    *, slug: str, earlier: int | None, later: int | None, language: str, earlier_given: bool
) -> RoundComparison:
    """Two rounds of one government, indicator by indicator, and the progress recorded.

    `earlier` and `later` are years (None: the two newest rounds). Raises Http404
    for an unknown later round, or an earlier one that was asked for
    (`earlier_given`) and does not exist. Content is read in `language`.
    """
    rounds, older, newer = round_pair(slug=slug, earlier=earlier, later=later)
    if newer is None or (earlier_given and older is None):
        raise Http404("No such round.")
    if older is None or older.year == newer.year:
        return RoundComparison(rounds=rounds, older=None, newer=newer)
    newer_content, _complete = profile_content.localized(newer.content, language)
    older_content, _complete = profile_content.localized(older.content, language)
    before_by_code = _answers_by_code(older_content)
    equivalents = equivalence_map(newer.government.level)
    labels = {value: str(label) for value, label in AnswerValue.choices}
    newer_slug = newer.content["framework"]["slug"]
    older_slug = older.content["framework"]["slug"]
    dimensions = []
    for dimension in newer_content["dimensions"]:
        rows = []
        for area in dimension["areas"]:
            for item in area["indicators"]:
                match = _walk_back(newer_slug, item["code"], older_slug, equivalents)
                before = before_by_code.get(match) if match else None
                rows.append(
                    IndicatorChange(
                        item=item,
                        area=area,
                        before=before,
                        before_label=labels.get(before["answer"], "") if before else "",
                        after_label=labels.get(item["answer"], ""),
                        changed=before is not None and before["answer"] != item["answer"],
                    )
                )
        dimensions.append(DimensionChanges(dimension=dimension, rows=rows))
    follow_ups: dict[int, list[dict]] = {}

    def shown_in(key: str) -> str:
        return profile_content.shown_language(newer.content, language, key)

    for follow_up in newer_content.get("follow_ups", []):
        key = f"follow_up:{follow_up.get('finding_id')}"
        follow_ups.setdefault(follow_up["dimension"], []).append(
            {
                **follow_up,
                "finding_lang": shown_in(f"{key}:finding"),
                "note_lang": shown_in(f"{key}:note"),
            }
        )
    return RoundComparison(
        rounds=rounds,
        older=older,
        newer=newer,
        dimensions=dimensions,
        follow_ups=sorted(follow_ups.items()),
    )


def _answers_by_code(content: dict) -> dict[str, dict]:
    return {
        item["code"]: item
        for dimension in content["dimensions"]
        for area in dimension["areas"]
        for item in area["indicators"]
    }


def _walk_back(
    framework_slug: str, code: str, target_slug: str, equivalents: Equivalences
) -> str | None:
    """Follow the equivalence mapping from a newer framework's indicator to `target_slug`."""
    key: tuple[str, str] | None = (framework_slug, code)
    for _step in range(10):
        if key is None:
            return None
        if key[0] == target_slug:
            return key[1]
        key = equivalents.get(key)
    return None


def national_counterpart(*, slug: str) -> tuple[Publication, Publication | None]:
    """A local government's latest live publication and its country's national one."""
    rows = list(
        Publication.objects.latest_per_government()
        .filter(
            government__country__in=Government.objects.filter(slug=slug).values("country"),
        )
        .filter(Q(government__slug=slug) | Q(government__level=Level.NATIONAL))
        .select_related("government", "framework")
    )
    local = next((p for p in rows if p.government.slug == slug), None)
    if local is None or local.government.level != Level.LOCAL:
        raise Http404("No published local profile here.")
    national = next((p for p in rows if p.government.level == Level.NATIONAL), None)
    return local, national
