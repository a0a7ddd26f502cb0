"""Invented sample assessments for demonstrating and testing the portal.

Every assessment made here has `is_sample=True` and says so in its text; the
answers, findings and figures are generated and are never IOM's real results.
Published samples go through the real workflow (share, submit, validate,
publish) with sample users, so they exercise the same code as real ones.

Most samples are written in English; Montréal's is in French and Jordan's in
Arabic. Some carry translations (`profiles.sample_texts`): the Philippines into
French, Spanish and Arabic, Chile into Spanish, Jordan into the other three, and Albania's
French translations were made before its summaries changed, so the summary is stale
(French readers see it in English, with the page saying so) and the rest is current.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from indicators.models import Dimension, Framework, Indicator, Level
from profiles import content, roles, workflow
from profiles.models import (
    Answer,
    AnswerValue,
    Assessment,
    ContentTranslation,
    ContextFigure,
    Finding,
    FindingKind,
    FollowUp,
    Government,
    GovernmentRole,
    LocalKind,
    Membership,
    ProgressStatus,
    Source,
    SourceKind,
    StatusChange,
)
from profiles.sample_texts import PHRASES, SampleTexts, name_in

User = get_user_model()


@dataclass(frozen=True)
class SampleRound:
    """One round of a sample government: year, framework and how far it got."""

    year: int
    framework: str
    stage: str  # draft, consultation, submitted, returned, validated, published, corrected


@dataclass(frozen=True)
class SampleGovernment:
    """A sample government and its rounds."""

    country: str
    rounds: tuple[SampleRound, ...]
    name: str = ""
    kind: str = LocalKind.NATIONAL
    language: str = "en"  # the original language of its texts
    translations: tuple[str, ...] = ()  # languages its published rounds are translated into
    stale: tuple[str, ...] = ()  # translations made before the original last changed


NATIONAL_2016 = "mgi-national-2016"
NATIONAL_2022 = "mgi-national-2022"
LOCAL_2019 = "mgi-local-2019"

SAMPLES: tuple[SampleGovernment, ...] = (
    SampleGovernment(
        "CL",
        (
            SampleRound(2018, NATIONAL_2016, "published"),
            SampleRound(2023, NATIONAL_2022, "published"),
        ),
        translations=("es",),
    ),
    SampleGovernment(
        "GH",
        (SampleRound(2019, NATIONAL_2016, "published"), SampleRound(2025, NATIONAL_2022, "draft")),
    ),
    SampleGovernment(
        "PH", (SampleRound(2021, NATIONAL_2022, "published"),), translations=("fr", "es", "ar")
    ),
    SampleGovernment("MA", (SampleRound(2024, NATIONAL_2022, "consultation"),)),
    SampleGovernment(
        "MD",
        (
            SampleRound(2020, NATIONAL_2016, "published"),
            SampleRound(2025, NATIONAL_2022, "submitted"),
        ),
    ),
    SampleGovernment("MX", (SampleRound(2022, NATIONAL_2022, "corrected"),)),
    SampleGovernment("ID", (SampleRound(2024, NATIONAL_2022, "validated"),)),
    SampleGovernment("FJ", (SampleRound(2025, NATIONAL_2022, "draft"),)),
    SampleGovernment(
        "AL",
        (
            SampleRound(2019, NATIONAL_2016, "published"),
            SampleRound(2023, NATIONAL_2022, "published"),
        ),
        translations=("fr",),
        stale=("fr",),
    ),
    SampleGovernment("CR", (SampleRound(2024, NATIONAL_2022, "returned"),)),
    SampleGovernment("GH", (SampleRound(2019, LOCAL_2019, "published"),), "Accra", LocalKind.CITY),
    SampleGovernment(
        "CA",
        (SampleRound(2020, LOCAL_2019, "published"),),
        "Montréal",
        LocalKind.CITY,
        language="fr",
    ),
    SampleGovernment("MX", (SampleRound(2023, LOCAL_2019, "draft"),), "Michoacán", LocalKind.STATE),
    SampleGovernment(
        "CL", (SampleRound(2024, LOCAL_2019, "published"),), "Santiago", LocalKind.CITY
    ),
    SampleGovernment(
        "JO",
        (SampleRound(2022, NATIONAL_2022, "published"),),
        language="ar",
        translations=("en", "fr", "es"),
    ),
)

ANSWER_WEIGHTS = [
    (AnswerValue.FULLY, 45),
    (AnswerValue.PARTIALLY, 30),
    (AnswerValue.ABSENT, 20),
    (AnswerValue.NOT_APPLICABLE, 5),
]
FIGURES = [
    ("population", "people", 1_000_000, 130_000_000),
    ("migrant_stock", "people", 50_000, 2_000_000),
    ("migrant_share", "%", 1, 15),
    ("emigrants", "people", 100_000, 5_000_000),
    ("refugees_hosted", "people", 500, 200_000),
    ("remittances_in", "USD million", 100, 40_000),
]


@dataclass
class SampleUsers:
    """The sample accounts that act in the workflow."""

    staff: User
    validators: dict[int, User]


def _user(username: str, *, group: str, email: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": email, "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


def load(*, seed: int = 2016, only: set[str] | None = None, log=print) -> list[Assessment]:
    """Create the sample governments and assessments (idempotent: skips what exists)."""
    roles.ensure_groups()
    rng = random.Random(seed)
    staff = _user("sample-staff", group=roles.IOM_STAFF, email="staff@sample.invalid")
    frameworks = {f.slug: f for f in Framework.objects.all()}
    missing = {r.framework for s in SAMPLES for r in s.rounds} - set(frameworks)
    if missing:
        raise RuntimeError(
            "Load the frameworks first (manage.py sync_framework); "
            f"missing: {', '.join(sorted(missing))}"
        )
    made = []
    for sample in SAMPLES:
        slug = Government.make_slug(country_code=sample.country, name=sample.name)
        if only and slug not in only:
            continue
        government, _ = Government.objects.get_or_create(
            slug=slug,
            defaults={
                "country": sample.country,
                "name": sample.name,
                "level": Level.LOCAL if sample.name else Level.NATIONAL,
                "kind": sample.kind,
            },
        )
        validator = _user(
            f"sample-validator-{slug}",
            group=roles.GOVERNMENT_OFFICIALS,
            email=f"validator@{slug}.sample.invalid",
        )
        focal = _user(
            f"sample-focal-{slug}",
            group=roles.GOVERNMENT_OFFICIALS,
            email=f"focal@{slug}.sample.invalid",
        )
        Membership.objects.get_or_create(
            user=validator,
            government=government,
            role=GovernmentRole.VALIDATOR,
            defaults={
                "title": "Director (sample)",
                "ministry": "Ministry of the Interior (sample)",
            },
        )
        Membership.objects.get_or_create(
            user=focal, government=government, role=GovernmentRole.FOCAL_POINT
        )
        previous = None
        for number, spec in enumerate(sample.rounds, start=1):
            existing = Assessment.objects.filter(government=government, year=spec.year).first()
            if existing:
                previous = existing
                continue
            assessment = _make_assessment(
                rng, sample, government, frameworks[spec.framework], spec.year, number, previous
            )
            _advance(assessment, spec.stage, staff=staff, validator=validator)
            log(f"  {government.slug} {spec.year}: {spec.stage}")
            made.append(assessment)
            previous = assessment
    return made


@transaction.atomic
def _make_assessment(rng, sample, government, framework, year, number, previous) -> Assessment:
    texts = SampleTexts(government, sample.language)
    assessment = Assessment.objects.create(
        government=government,
        framework=framework,
        year=year,
        round_number=number,
        previous=previous,
        is_sample=True,
        original_language=sample.language,
        introduction=texts.say("introduction", key="introduction", number=number, year=year),
        summary=texts.say("summary", key="summary"),
    )
    sources = []
    for title, kind in [
        ("Migration Act", SourceKind.LAW),
        ("National Migration Policy", SourceKind.POLICY),
        ("Labour Mobility Agreement", SourceKind.AGREEMENT),
        ("Decree on Residence Permits", SourceKind.REGULATION),
    ]:
        source = Source.objects.create(
            assessment=assessment,
            title=texts.say("source", title=title),
            kind=kind,
            issuer=texts.say("issuer", key="issuer"),
            year=year - rng.randint(1, 12),
            url="",
        )
        texts.recipes[f"source:{source.pk}:title"] = ("source", {"title": title})
        texts.recipes[f"source:{source.pk}:issuer"] = texts.recipes.pop("issuer")
        sources.append((source, title))
    indicators = list(Indicator.objects.filter(framework=framework).current().in_order())
    values, weights = zip(*ANSWER_WEIGHTS, strict=True)
    answers = []
    for indicator in indicators:
        value = rng.choices(values, weights)[0]
        answers.append(
            Answer(
                assessment=assessment,
                indicator=indicator,
                value=value,
                justification=texts.say(
                    "justification",
                    key=f"answer:{indicator.code}:justification",
                    code=indicator.code,
                    answer=value,
                ),
                evidence=texts.say(
                    "evidence",
                    key=f"answer:{indicator.code}:evidence",
                    title=sources[0][1],
                    article=rng.randint(1, 90),
                ),
            )
        )
    Answer.objects.bulk_create(answers)
    through = Answer.sources.through
    through.objects.bulk_create(
        through(answer_id=a.pk, source_id=rng.choice(sources)[0].pk)
        for a in Answer.objects.filter(assessment=assessment)
    )
    by_dimension: dict[int, list[tuple[Indicator, str]]] = {}
    for indicator, answer in zip(indicators, answers, strict=True):
        by_dimension.setdefault(indicator.area.dimension_id, []).append((indicator, answer.value))
    for dimension in Dimension.objects.filter(framework=framework):
        items = by_dimension.get(dimension.pk, [])
        strong = [i for i, v in items if v == AnswerValue.FULLY][:2]
        weak = [i for i, v in items if v in (AnswerValue.ABSENT, AnswerValue.PARTIALLY)][:2]
        for kind, chosen in ((FindingKind.WELL_DEVELOPED, strong), (FindingKind.POTENTIAL, weak)):
            for position, indicator in enumerate(chosen):
                finding = Finding.objects.create(
                    assessment=assessment,
                    dimension=dimension,
                    kind=kind,
                    position=position,
                    is_good_practice=kind == FindingKind.WELL_DEVELOPED
                    and position == 0
                    and dimension.code % 2 == 1,
                    text=texts.say(kind, indicator=indicator),
                )
                texts.recipes[f"finding:{finding.pk}"] = (kind, {"indicator": indicator})
    for position, (kind, unit, low, high) in enumerate(FIGURES):
        figure = ContextFigure.objects.create(
            assessment=assessment,
            kind=kind,
            unit=texts.say("figure_unit", key="unit", unit=unit),
            year=year - 1,
            position=position,
            value=rng.randint(low, high),
            source=texts.say("figure_source", key="figure_source"),
        )
        texts.recipes[f"figure:{figure.pk}:unit"] = texts.recipes.pop("unit")
        texts.recipes[f"figure:{figure.pk}:source"] = texts.recipes.pop("figure_source")
    if previous is not None:
        progress = list(ProgressStatus)
        for finding in previous.findings.filter(kind=FindingKind.POTENTIAL):
            FollowUp.objects.create(
                assessment=assessment,
                finding=finding,
                progress=rng.choice(progress),
                note=texts.say(
                    "follow_up_note", key=f"follow_up:{finding.pk}:note", year=previous.year
                ),
            )
    _translate(assessment, sample, texts)
    return assessment


def _translate(assessment: Assessment, sample: SampleGovernment, texts: SampleTexts) -> None:
    """Store the sample's translations, made from its present text; a stale one's summary
    changes afterwards, so that one field is stale and the rest stay current.

    A follow-up quotes the earlier round's finding, whose translation the earlier
    round already has: it is reused, as a translator would.
    """
    if not sample.translations:
        return
    originals = content.translatable_texts(content.build(assessment, include_translations=False))
    earlier = {
        t.language: t.texts
        for t in ContentTranslation.objects.filter(assessment_id=assessment.previous_id)
    }
    followed = assessment.follow_ups.values_list("finding_id", flat=True)
    for language in sample.translations:
        translated = texts.translated(language)
        for finding_id in followed:
            quoted = earlier.get(language, {}).get(f"finding:{finding_id}")
            if quoted:
                translated[f"follow_up:{finding_id}:finding"] = quoted
        made_from = {key: originals[key] for key in translated if key in originals}
        ContentTranslation.objects.create(
            assessment=assessment,
            language=language,
            texts={key: translated[key] for key in made_from},
            source_hashes=content.source_hashes(made_from),
        )
    if sample.stale:
        # The original changed after the translation was made: that field is stale.
        assessment.summary += " " + PHRASES[sample.language].changed
        assessment.save(update_fields=["summary", "updated_at"])


def _advance(assessment: Assessment, stage: str, *, staff, validator) -> None:
    """Walk the real workflow up to `stage`, then date the audit rows in the round's year."""
    path = {
        "draft": [],
        "consultation": ["share"],
        "submitted": ["share", "submit"],
        "returned": ["share", "submit", "return"],
        "validated": ["share", "submit", "validate"],
        "published": ["share", "submit", "validate", "publish"],
        "corrected": [
            "share",
            "submit",
            "validate",
            "publish",
            "revise",
            "share",
            "submit",
            "validate",
            "publish",
        ],
    }[stage]
    phrases = PHRASES[assessment.original_language]
    for name in path:
        transition = workflow.BY_NAME[name]
        by = validator if name in {"validate", "return"} else staff
        sign_off = None
        if name == "validate":
            validated = content.build(assessment)
            sign_off = workflow.SignOffDetails(
                name=phrases.validator.format(
                    name=name_in(assessment.government, assessment.original_language)
                ),
                title=phrases.validator_title,
                ministry=phrases.ministry,
                statement=phrases.statement,
                reviewed_hash=content.digest(validated),
                statement_translations={
                    language: PHRASES[language].statement
                    for language in validated["translations"]
                    if language in PHRASES
                },
            )
        if name == "revise":
            # A correction: edit one justification while the assessment is a draft again.
            workflow.apply(transition, assessment, by=by, note="Correct a justification (sample).")
            answer = assessment.answers.order_by("pk").first()
            answer.justification += " Corrected in version 2 (sample)."
            answer.save(update_fields=["justification", "updated_at"])
            workflow.bump_revision(assessment)
            continue
        note = "Please clarify the sources of dimension 2 (sample)." if name == "return" else ""
        workflow.apply(transition, assessment, by=by, note=note, sign_off=sign_off)
    # Spread the sample timeline over the assessment's year so it reads like a real one.
    start = datetime.datetime(assessment.year, 2, 1, 9, 0, tzinfo=datetime.UTC)
    for step, change in enumerate(
        StatusChange.objects.filter(assessment=assessment).order_by("pk")
    ):
        change.at = min(start + datetime.timedelta(days=45 * (step + 1)), timezone.now())
        change.save(update_fields=["at"])
