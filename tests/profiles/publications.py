"""Helpers for the public-page tests: real publications, made quickly.

`publish()` walks the real workflow (share, submit, validate, publish) and runs
the real page renderer. It leaves out the PDF renderer, which takes about 25 s
per publication on this machine and is tested in tests/profiles/outputs/test_pdf.py;
tests that need a PDF row store one explicitly. `clone()` copies a real
publication's frozen content to more governments, to show that query counts do
not grow with the number of governments.
"""

import copy
import datetime

from django.core.files.base import ContentFile
from django.test import TestCase
from django.utils import timezone

from profiles import workflow
from profiles.models import (
    Assessment,
    AssessmentStatus,
    ContextFigure,
    FileKind,
    Finding,
    FindingKind,
    FollowUp,
    Government,
    Publication,
    PublicationFile,
    SignOff,
    Source,
)
from profiles.publishing import lifecycle, tallies
from tests import factories
from tests.factories import AssessmentFactory

DRAFT_MARKER = "ZZDRAFTMARKERZZ"


PAGES_ONLY = ["profiles.outputs.pages.render_profile_pages"]


def publish(assessment: Assessment, *, staff, validator, release_at=None, settings=None):
    """Publish through the real workflow; return the Publication.

    Given pytest-django's `settings`, only the page bodies are rendered (no data
    files or PDFs), for the rest of the test.
    """
    if settings is not None:
        settings.MGI_PUBLICATION_RENDERERS = PAGES_ONLY
    if not assessment.answers.exists():
        factories.answer_all(assessment)
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    workflow.apply(
        workflow.VALIDATE, assessment, by=validator, sign_off=factories.sign_off_for(assessment)
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.PUBLISH, assessment, by=staff, release_at=release_at)
    return Publication.objects.filter(assessment=assessment).order_by("-version").first()


def correct(assessment: Assessment, *, staff, validator, settings, text: str):
    """Publish a correction (version 2) whose first justification gains `text`."""
    workflow.apply(workflow.REVISE, assessment, by=staff, note="Correction.")
    answer = assessment.answers.order_by("pk").first()
    answer.justification += " " + text
    answer.save()
    workflow.bump_revision(assessment)
    return publish(assessment, staff=staff, validator=validator, settings=settings)


def store_file(publication: Publication, kind: str, language: str, data: bytes = b"x"):
    """Store a download the way the PDF and data renderers do (a PublicationFile row)."""
    row = PublicationFile(publication=publication, kind=kind, language=language, sha256="0" * 64)
    row.size = len(data)
    row.file.save(f"file-{language}.{kind}", ContentFile(data), save=False)
    row.save()
    return row


COUNTRIES = ["FR", "DE", "IT", "PT", "BR", "AR", "PE", "KE", "NG", "SN", "JP", "NZ"]


def clone(publication: Publication, *, countries: list[str]) -> list[Publication]:
    """Copy a live publication's frozen content to new national governments (setup only)."""
    made = []
    for country in countries:
        government = Government.objects.create(
            level="national",
            kind="national",
            country=country,
            slug=Government.make_slug(country_code=country),
        )
        assessment = Assessment.objects.create(
            government=government,
            framework_id=publication.framework_id,
            year=publication.year,
            status=AssessmentStatus.PUBLISHED,
        )
        sign_off = SignOff.objects.create(
            assessment=assessment,
            validator=publication.sign_off.validator,
            validator_name="V",
            title="T",
            ministry="M",
            statement="S",
            content_hash=publication.content_hash,
            languages=["en"],
        )
        content = copy.deepcopy(publication.content)
        content["government"] = {
            **content["government"],
            "country": country,
            "slug": government.slug,
        }
        now = timezone.now() - datetime.timedelta(minutes=1)
        clone = Publication.objects.create(
            assessment=assessment,
            version=1,
            sign_off=sign_off,
            government=government,
            framework_id=publication.framework_id,
            year=publication.year,
            round_number=1,
            content=content,
            content_hash=publication.content_hash,
            languages=["en"],
            timeline=publication.timeline,
            published_by=publication.published_by,
            release_at=now,
            ready_at=now,
        )
        lifecycle.index_content(clone)
        tallies.government_changed(government.pk)  # as rendering does when a publication is ready
        made.append(clone)
    return made


def file_kinds(publication: Publication) -> set[tuple[str, str]]:
    return set(
        PublicationFile.objects.filter(publication=publication).values_list("kind", "language")
    )


__all__ = ["DRAFT_MARKER", "FileKind", "clone", "correct", "file_kinds", "publish", "store_file"]


def follow_up_with_every_text(baseline: Assessment) -> Assessment:
    """A 2024 follow-up of published `baseline` with a distinct text in every field it holds:
    introduction, summary, justifications, evidence, a source, a context figure, a follow-up."""
    assessment = AssessmentFactory(
        government=baseline.government,
        year=2024,
        round_number=2,
        previous=baseline,
        introduction="Intro text one.",
        summary="Summary text two.",
    )
    factories.answer_all(assessment, text="Justification three.")
    answer = assessment.answers.order_by("pk").first()
    source = Source.objects.create(
        assessment=assessment,
        title="Migration Law 21.325",
        issuer="Congress of the Republic",
        year=2021,
        url="https://example.org/law-21325",
    )
    answer.evidence = "Evidence four, article 12."
    answer.save()
    answer.sources.add(source)
    ContextFigure.objects.create(
        assessment=assessment,
        kind="other",
        label="Figure label five",
        value="1234.50",
        unit="units six",
        year=2022,
        source="Statistics office seven",
        source_url="https://example.org/stats",
    )
    FollowUp.objects.create(
        assessment=assessment,
        finding=Finding.objects.get(assessment=baseline, kind=FindingKind.POTENTIAL),
        progress="partly_addressed",
        note="Follow-up note eight.",
    )
    return assessment
