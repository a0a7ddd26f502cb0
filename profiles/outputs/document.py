"""The one profile document: what a reader sees of a publication, in one language.

`build(publication, language)` turns a publication's frozen content (and the
publication row's own frozen fields: version, release date, permalink, content
hash, the sign-off and the timeline) into a `ProfileDocument`. The HTML page
body (`pages`) and the PDF (`pdf`) both render it, through the same section
partials in templates/profiles/sections/, so a page and its PDF read the same:
one title, one citation, the same headings, findings, answers and sources.

Nothing here reads a live row (Government, Indicator, Assessment): a renamed
government or a reworded indicator never changes an old version when it is
rendered again (`manage.py rerender`).

Languages: each government text carries `lang`, the language it is in when
that is not the document's (an untranslated English justification in an Arabic
document), or "" when it is; templates mark only those (`pdf_text.lang_attrs`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.dateparse import parse_date
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django_countries.fields import Country

from profiles import content as profile_content
from profiles.models import (
    AnswerValue,
    FigureKind,
    FindingKind,
    ProgressStatus,
    Publication,
    SignOff,
    SourceKind,
)

#: Context figures counted in people share one scale, so they share a chart; the total
#: population is left out because it would dwarf every migration figure.
CHART_UNIT = "people"
CHART_EXCLUDED = frozenset({"population"})


@dataclass(frozen=True)
class Finding:
    text: str
    lang: str
    is_good_practice: bool


@dataclass(frozen=True)
class FollowUp:
    """Progress on a finding of the earlier round."""

    progress: str
    progress_label: str
    finding: str
    finding_lang: str
    note: str
    note_lang: str


@dataclass(frozen=True)
class Source:
    id: int
    title: str
    lang: str
    kind: str
    kind_label: str
    issuer: str
    issuer_lang: str
    year: int | None
    url: str


@dataclass(frozen=True)
class Answer:
    """One indicator's question and the government's answer to it."""

    code: str
    question: str
    answer: str
    answer_label: str
    justification: str
    lang: str
    evidence: str
    evidence_lang: str
    sources: list[Source]
    source_titles: str
    sources_lang: str


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    answers: list[Answer]


@dataclass(frozen=True)
class Dimension:
    code: int
    short_name: str
    long_name: str
    well_developed: list[Finding]
    potential: list[Finding]
    follow_ups: list[FollowUp]
    areas: list[Area]
    untranslated: bool  # some of its government texts are shown in the original language
    long_name_lang: str = ""  # "en" when the framework files have no translation of it


@dataclass(frozen=True)
class Figure:
    """A context figure with its label and value as the document's language writes them."""

    kind: str
    label: str
    label_lang: str
    value: float
    display: str
    unit: str
    unit_lang: str
    year: int
    source: str
    source_lang: str
    source_url: str


@dataclass(frozen=True)
class Part:
    """A section with texts shown in the original language, for the note that lists them."""

    anchor: str
    name: str


@dataclass(frozen=True)
class Citation:
    plain: str
    bibtex: str


@dataclass(frozen=True)
class Milestone:
    event: str
    date: date | None


@dataclass(frozen=True)
class ProfileDocument:
    """Everything a reader sees of one publication in one language."""

    language: str
    bidi: bool
    title: str
    government_name: str
    slug: str
    is_local: bool
    is_sample: bool
    year: int
    round: int
    previous_year: int | None
    framework_name: str
    framework_version: str
    framework_lang: str
    wording_note_lang: str
    wording_note: str
    original_language: str
    original_language_name: str
    language_name: str
    untranslated: str
    #: "none" when no government text is translated into the document's language,
    #: "partial" when some are (`untranslated_parts` lists the sections that are not).
    translation_note: str
    untranslated_parts: list[Part]
    figures_untranslated: bool
    sources_untranslated: bool
    introduction: str
    introduction_lang: str
    summary: str
    summary_lang: str
    dimensions: list[Dimension]
    figures: list[Figure]
    charted: list[Figure]
    sources: list[Source]
    sign_off: SignOff | None
    #: The validator's statement in the document's language when they wrote one, else
    #: the original's, with `statement_lang` naming that language.
    statement: str
    statement_lang: str
    timeline: list[Milestone]
    version: int
    released: datetime
    content_hash: str
    languages: list[str]
    permalink: str
    citation: Citation


def government_name(content: dict) -> str:
    """The government's name from frozen content: a country's is translated, a place's is not."""
    government = content["government"]
    if government["level"] == "national":
        return str(Country(government["country"]).name)
    return government["name"]


def profile_title(content: dict) -> str:
    """ "Migration Governance Indicators Profile <year> | <government>", as IOM names it."""
    if content["government"]["level"] == "local":
        prefix = _("Local Migration Governance Indicators Profile")
    else:
        prefix = _("Migration Governance Indicators Profile")
    return f"{prefix} {content['year']} | {government_name(content)}"


def permalink(publication: Publication) -> str:
    """The absolute address of this exact version, in the active language."""
    return settings.MGI_SITE_URL + publication.get_absolute_url()


def citation(publication: Publication, content: dict) -> Citation:
    """How to cite exactly this version (its permalink), as text and as BibTeX."""
    url = permalink(publication)
    title = profile_title(content)
    released = publication.release_at.date().isoformat()
    plain = _(
        "International Organization for Migration (IOM). %(title)s, version %(version)s. "
        "Published %(date)s. %(url)s"
    ) % {"title": title, "version": publication.version, "date": released, "url": url}
    key = f"mgi-{content['government']['slug']}-{content['year']}-v{publication.version}"
    bibtex = (
        f"@misc{{{key},\n"
        f"  author = {{{{International Organization for Migration}}}},\n"
        f"  title = {{{title}}},\n"
        f"  year = {{{content['year']}}},\n"
        f"  version = {{{publication.version}}},\n"
        f"  date = {{{released}}},\n"
        f"  url = {{{url}}},\n"
        f"  note = {{SHA-256 {publication.content_hash}}}\n"
        "}"
    )
    return Citation(plain=plain, bibtex=bibtex)


def number(value: str) -> str:
    """A frozen decimal string in the active language's format, with digit grouping."""
    return number_format(Decimal(value), use_l10n=True, force_grouping=True)


def figure_label(figure: dict) -> str:
    """A context figure's translated label (or its own, for kind "other")."""
    if figure.get("label"):
        return figure["label"]
    try:
        return str(FigureKind(figure["kind"]).label)
    except ValueError:
        return figure["kind"]


def _framework_text(item: dict, field: str, language: str) -> str:
    """Framework wording (dimension, area, question) in `language`, else the original."""
    return item.get("i18n", {}).get(language, {}).get(field) or item.get(field, "")


def _framework_lang(item: dict, field: str, language: str) -> str:
    """`en` when `_framework_text` falls back to the English original in another language."""
    if language == "en" or item.get("i18n", {}).get(language, {}).get(field):
        return ""
    return "en"


def _timeline(publication: Publication) -> list[Milestone]:
    names = {
        "launched": _("Assessment launched"),
        "consultation": _("Shared for inter-ministerial consultation"),
        "validated": _("Validated by the government"),
        "published": _("Published"),
    }
    return [
        Milestone(event=str(names.get(step["event"], step["event"])), date=parse_date(step["date"]))
        for step in publication.timeline
    ]


def _label(choices: type[AnswerValue] | type[ProgressStatus] | type[SourceKind], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def language_name(code: str) -> str:
    """A language's name in the active language, as it reads inside a sentence.

    Django's catalogues capitalise names ("Français", "Español"); French and
    Spanish write them in lower case mid-sentence, and Arabic has no case.
    """
    name = str(translation.get_language_info(code)["name_translated"])
    return name if (translation.get_language() or "en").startswith("en") else name.lower()


def build(publication: Publication, language: str) -> ProfileDocument:
    """The document of `publication` in `language` (call inside `translation.override`)."""
    original = publication.content
    content, _complete = profile_content.localized(original, language)
    original_language = original["original_language"]
    untranslated = "" if language == original_language else original_language
    translated = original.get("translations", {}).get(language, {})
    shown_original: set[str] = set()

    def lang_of(text: str, key: str) -> str:
        """ "" for a text in the document's language (translated, or written in it).

        Remembers each government text shown in the original language, for the
        note that lists the parts that hold one.
        """
        shown_in = profile_content.shown_language(original, language, key) if text else ""
        if shown_in:
            shown_original.add(key)
        return shown_in

    statements = publication.sign_off.statement_translations if publication.sign_off else {}
    statement_in_language = statements.get(language, "")
    statement = statement_in_language or (
        publication.sign_off.statement if publication.sign_off else ""
    )
    sources = [
        Source(
            id=s["id"],
            title=s["title"],
            lang=lang_of(s["title"], f"source:{s['id']}:title"),
            kind=s["kind"],
            kind_label=_label(SourceKind, s["kind"]),
            issuer=s["issuer"],
            issuer_lang=lang_of(s["issuer"], f"source:{s['id']}:issuer"),
            year=s["year"],
            url=s["url"],
        )
        for s in content["sources"]
    ]
    sources_untranslated = bool(shown_original)
    by_id = {source.id: source for source in sources}
    dimensions = [
        _dimension(dimension, content, language, lang_of, shown_original, by_id)
        for dimension in content["dimensions"]
    ]
    before_figures = len(shown_original)
    figures = [_figure(f, lang_of) for f in content.get("context_figures", [])]
    figures_untranslated = len(shown_original) > before_figures
    # Charted by the original unit: a translated "people" still counts people.
    charted = [
        figure
        for figure, frozen in zip(figures, original.get("context_figures", []), strict=True)
        if frozen["unit"] == CHART_UNIT and figure.kind not in CHART_EXCLUDED
    ]
    introduction_lang = lang_of(content["introduction"], "introduction")
    summary_lang = lang_of(content["summary"], "summary")
    parts = [
        Part("introduction", _("Introduction")) if introduction_lang else None,
        Part("context", _("Migration context")) if figures_untranslated else None,
        Part("summary", _("Summary")) if summary_lang else None,
        *(
            Part(f"dimension-{d.code}", f"{d.code}. {d.short_name}")
            for d in dimensions
            if d.untranslated
        ),
        Part("sources", _("Key sources")) if sources_untranslated else None,
    ]
    return ProfileDocument(
        language=language,
        bidi=language in settings.LANGUAGES_BIDI,
        title=profile_title(content),
        government_name=government_name(content),
        slug=content["government"]["slug"],
        is_local=content["government"]["level"] == "local",
        is_sample=content["is_sample"],
        year=content["year"],
        round=content["round"],
        previous_year=content.get("previous_year"),
        framework_name=_framework_text(content["framework"], "name", language),
        framework_version=content["framework"]["version"],
        framework_lang=_framework_lang(content["framework"], "name", language),
        wording_note=_framework_text(content["framework"], "wording_note", language),
        wording_note_lang=_framework_lang(content["framework"], "wording_note", language),
        original_language=original_language,
        original_language_name=language_name(original_language),
        language_name=language_name(language),
        untranslated=untranslated,
        translation_note=("partial" if translated else "none") if shown_original else "",
        untranslated_parts=[part for part in parts if part],
        figures_untranslated=figures_untranslated,
        sources_untranslated=sources_untranslated,
        introduction=content["introduction"],
        introduction_lang=introduction_lang,
        summary=content["summary"],
        summary_lang=summary_lang,
        dimensions=dimensions,
        figures=figures,
        charted=charted if len(charted) > 1 else [],
        sources=sources,
        sign_off=publication.sign_off,
        statement=statement,
        statement_lang="" if statement_in_language else untranslated,
        timeline=_timeline(publication),
        version=publication.version,
        released=publication.release_at,
        content_hash=publication.content_hash,
        languages=list(publication.languages),
        permalink=permalink(publication),
        citation=citation(publication, content),
    )


def _figure(figure: dict, lang_of: Callable[[str, str], str]) -> Figure:
    """A context figure; a label of our own (its kind's) is always in the document's language."""
    key = f"figure:{figure.get('id')}"
    return Figure(
        kind=figure["kind"],
        label=figure_label(figure),
        label_lang=lang_of(figure["label"], f"{key}:label"),
        value=float(figure["value"]),
        display=number(figure["value"]),
        unit=figure["unit"],
        unit_lang=lang_of(figure["unit"], f"{key}:unit"),
        year=figure["year"],
        source=figure["source"],
        source_lang=lang_of(figure["source"], f"{key}:source"),
        source_url=figure["source_url"],
    )


def _dimension(
    dimension: dict,
    content: dict,
    language: str,
    lang_of: Callable[[str, str], str],
    shown_original: set[str],
    by_id: dict[int, Source],
) -> Dimension:
    """One dimension's findings, progress and answers, in the document's language."""
    before = len(shown_original)
    findings = [
        (
            f["kind"],
            Finding(
                text=f["text"],
                lang=lang_of(f["text"], f"finding:{f['id']}"),
                is_good_practice=f["is_good_practice"],
            ),
        )
        for f in dimension["findings"]
    ]
    follow_ups = [
        FollowUp(
            progress=f["progress"],
            progress_label=_label(ProgressStatus, f["progress"]),
            finding=f["finding"],
            finding_lang=lang_of(f["finding"], f"follow_up:{f.get('finding_id')}:finding"),
            note=f["note"],
            note_lang=lang_of(f["note"], f"follow_up:{f.get('finding_id')}:note"),
        )
        for f in content.get("follow_ups", [])
        if f["dimension"] == dimension["code"]
    ]
    areas = []
    for area in dimension["areas"]:
        answers = []
        for item in area["indicators"]:
            cited = [by_id[pk] for pk in item["sources"] if pk in by_id]
            key = f"answer:{item['code']}"
            answers.append(
                Answer(
                    code=item["code"],
                    question=_framework_text(item, "question", language),
                    answer=item["answer"],
                    answer_label=_label(AnswerValue, item["answer"]) if item["answer"] else "—",
                    justification=item["justification"],
                    lang=lang_of(item["justification"], f"{key}:justification"),
                    evidence=item["evidence"],
                    evidence_lang=lang_of(item["evidence"], f"{key}:evidence"),
                    sources=cited,
                    source_titles="; ".join(source.title for source in cited),
                    sources_lang=next((source.lang for source in cited if source.lang), ""),
                )
            )
        areas.append(
            Area(code=area["code"], name=_framework_text(area, "name", language), answers=answers)
        )
    return Dimension(
        code=dimension["code"],
        short_name=_framework_text(dimension, "short_name", language),
        long_name=_framework_text(dimension, "long_name", language),
        long_name_lang=_framework_lang(dimension, "long_name", language),
        well_developed=[f for kind, f in findings if kind == FindingKind.WELL_DEVELOPED],
        potential=[f for kind, f in findings if kind == FindingKind.POTENTIAL],
        follow_ups=follow_ups,
        areas=areas,
        untranslated=len(shown_original) > before,
    )
