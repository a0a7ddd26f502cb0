"""Invented sample assessments for demonstrating and testing the portal.

Every assessment made here has `is_sample=True` and says so in its text; the
answers, findings and figures are generated and are never IOM's real results.
Published samples go through the real workflow (share, submit, validate,
publish) with sample users, so they exercise the same code as real ones.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from indicators.models import Dimension, Framework, Indicator, Level
from profiles import roles, workflow
from profiles.models import (
    Answer,
    AnswerValue,
    Assessment,
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
from profiles.workflow import signoff

User = get_user_model()

SAMPLE_NOTE = "Sample data: invented for demonstration, not an IOM result."


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
    ),
    SampleGovernment(
        "GH",
        (SampleRound(2019, NATIONAL_2016, "published"), SampleRound(2025, NATIONAL_2022, "draft")),
    ),
    SampleGovernment("PH", (SampleRound(2021, NATIONAL_2022, "published"),)),
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
    ),
    SampleGovernment("CR", (SampleRound(2024, NATIONAL_2022, "returned"),)),
    SampleGovernment("GH", (SampleRound(2019, LOCAL_2019, "published"),), "Accra", LocalKind.CITY),
    SampleGovernment(
        "CA", (SampleRound(2020, LOCAL_2019, "published"),), "Montréal", LocalKind.CITY
    ),
    SampleGovernment("MX", (SampleRound(2023, LOCAL_2019, "draft"),), "Michoacán", LocalKind.STATE),
    SampleGovernment(
        "CL", (SampleRound(2024, LOCAL_2019, "published"),), "Santiago", LocalKind.CITY
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
                rng, government, frameworks[spec.framework], spec.year, number, previous
            )
            _advance(assessment, spec.stage, staff=staff, validator=validator)
            log(f"  {government.slug} {spec.year}: {spec.stage}")
            made.append(assessment)
            previous = assessment
    return made


@transaction.atomic
def _make_assessment(rng, government, framework, year, number, previous) -> Assessment:
    name = government.display_name
    assessment = Assessment.objects.create(
        government=government,
        framework=framework,
        year=year,
        round_number=number,
        previous=previous,
        is_sample=True,
        introduction=(
            f"{SAMPLE_NOTE} This profile of {name} shows what a Migration Governance "
            f"Profile looks like on this portal. It was generated for round {number} "
            f"({year}) with the framework '{framework.name}'."
        ),
        summary=(
            f"{SAMPLE_NOTE} In this invented assessment, {name} has well-developed areas "
            "in several dimensions and areas with potential for further development in others."
        ),
    )
    sources = [
        Source.objects.create(
            assessment=assessment,
            title=f"Sample {title} of {name}",
            kind=kind,
            issuer=f"Government of {name} (sample)",
            year=year - rng.randint(1, 12),
            url="",
        )
        for title, kind in [
            ("Migration Act", SourceKind.LAW),
            ("National Migration Policy", SourceKind.POLICY),
            ("Labour Mobility Agreement", SourceKind.AGREEMENT),
            ("Decree on Residence Permits", SourceKind.REGULATION),
        ]
    ]
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
                justification=(
                    f"Sample justification for {indicator.code}: the invented legal framework of "
                    f"{name} makes this {AnswerValue(value).label.lower()}."
                ),
                evidence=f"{sources[0].title}, article {rng.randint(1, 90)}",
            )
        )
    Answer.objects.bulk_create(answers)
    through = Answer.sources.through
    through.objects.bulk_create(
        through(answer_id=a.pk, source_id=rng.choice(sources).pk)
        for a in Answer.objects.filter(assessment=assessment)
    )
    by_dimension: dict[int, list[tuple[Indicator, str]]] = {}
    for indicator, answer in zip(indicators, answers, strict=True):
        by_dimension.setdefault(indicator.area.dimension_id, []).append((indicator, answer.value))
    for dimension in Dimension.objects.filter(framework=framework):
        items = by_dimension.get(dimension.pk, [])
        strong = [i for i, v in items if v == AnswerValue.FULLY][:2]
        weak = [i for i, v in items if v in (AnswerValue.ABSENT, AnswerValue.PARTIALLY)][:2]
        for position, indicator in enumerate(strong):
            Finding.objects.create(
                assessment=assessment,
                dimension=dimension,
                kind=FindingKind.WELL_DEVELOPED,
                position=position,
                is_good_practice=position == 0 and dimension.code % 2 == 1,
                text=f"(Sample) {name} has a framework in place: {indicator.question.rstrip('?')}.",
            )
        for position, indicator in enumerate(weak):
            Finding.objects.create(
                assessment=assessment,
                dimension=dimension,
                kind=FindingKind.POTENTIAL,
                position=position,
                text=f"(Sample) {name} could develop this further: "
                f"{indicator.question.rstrip('?')}.",
            )
    for position, (kind, unit, low, high) in enumerate(FIGURES):
        ContextFigure.objects.create(
            assessment=assessment,
            kind=kind,
            unit=unit,
            year=year - 1,
            position=position,
            value=rng.randint(low, high),
            source="Sample figure (invented, not real data)",
        )
    if previous is not None:
        progress = list(ProgressStatus)
        for finding in previous.findings.filter(kind=FindingKind.POTENTIAL):
            FollowUp.objects.create(
                assessment=assessment,
                finding=finding,
                progress=rng.choice(progress),
                note=f"(Sample) Progress since {previous.year} as recorded in this invented round.",
            )
    return assessment


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
    for name in path:
        transition = workflow.BY_NAME[name]
        by = validator if name in {"validate", "return"} else staff
        sign_off = None
        if name == "validate":
            sign_off = workflow.SignOffDetails(
                name=f"Sample Validator of {assessment.government.display_name}",
                title="Director of Migration Policy (sample)",
                ministry="Ministry of the Interior (sample)",
                statement="On behalf of the government, I validate this (sample) profile.",
                reviewed_hash=signoff.current_hash(assessment),
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
