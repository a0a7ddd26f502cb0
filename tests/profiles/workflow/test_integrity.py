"""Integrity of what is published and signed (issue 14, points 1-3).

- A follow-up round quotes its earlier round only as that round was published:
  never a correction in progress, never a round that was never public.
- A publication withdrawn before anyone could read it answers 404, not 410.
- The validator's page shows every text the signed hash covers, the form carries
  the hash it showed, and a signature for content that changed since is refused.
"""

import datetime
import html
import json
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from profiles import content as profile_content
from profiles import workflow
from profiles.models import (
    AssessmentStatus,
    ContentTranslation,
    Finding,
    FindingKind,
    FollowUp,
    Publication,
    SignOff,
)
from profiles.workflow import signoff
from tests import factories
from tests.factories import AssessmentFactory
from tests.profiles.publications import follow_up_with_every_text, publish
from tests.security.surfaces import body, crawl, public_urls

pytestmark = pytest.mark.django_db

MARKER = "QQUNPUBLISHEDQQ"


def _public_text(client: Client, publications: list[Publication]) -> dict[str, bytes]:
    """Every public URL of these publications, what they link to, and search for the marker."""
    responses: dict[str, bytes] = {}

    def visit(url, response):
        assert response.status_code < 500, (url, response.status_code)
        responses[url] = body(response)

    searches = [f"/profiles/?q={MARKER}", f"/fr/profiles/?q={MARKER}", f"/ar/profiles/?q={MARKER}"]
    api = [f"/api/v1/publications/{p.pk}/" for p in publications]
    crawl(client, [*public_urls(publications), *api, *searches], limit=400, visit=visit)
    return responses


def _leaks(responses: dict[str, bytes]) -> list[str]:
    """URLs whose answer holds the marker; a search for it may echo it but finds nothing."""
    leaks = []
    for url, data in responses.items():
        if MARKER in url:
            if '<h2 id="results-heading">0 ' not in data.decode():
                leaks.append(url)
        elif MARKER.encode() in data:
            leaks.append(url)
    return leaks


@pytest.fixture
def round_one(government, staff, validator, settings):
    """A government's published baseline with one area for development."""
    return publish(
        AssessmentFactory(government=government, year=2019),
        staff=staff,
        validator=validator,
        settings=settings,
    )


def _follow_up_round(previous, **fields):
    follow_up = AssessmentFactory(
        government=previous.government, year=2024, round_number=2, previous=previous
    )
    factories.answer_all(follow_up)
    for finding in Finding.objects.filter(assessment=previous, kind=FindingKind.POTENTIAL):
        FollowUp.objects.create(
            assessment=follow_up,
            finding=finding,
            progress="addressed",
            note="Progress noted.",
            **fields,
        )
    return follow_up


def test_follow_up_quotes_the_published_round_not_its_correction_draft(
    client, round_one, staff, validator, settings
):
    baseline = round_one.assessment
    published = Finding.objects.get(assessment=baseline, kind=FindingKind.POTENTIAL)
    # A correction of round 1 is in progress: it rewrites the finding and adds another.
    workflow.apply(workflow.REVISE, baseline, by=staff, note="Correction.")
    Finding.objects.filter(assessment=baseline, kind=FindingKind.POTENTIAL).update(
        text=f"Rewritten {MARKER}"
    )
    Finding.objects.create(
        assessment=baseline,
        dimension=baseline.framework.dimensions.get(code=2),
        kind=FindingKind.POTENTIAL,
        text=f"New {MARKER}",
    )
    follow_up = publish(
        _follow_up_round(baseline), staff=staff, validator=validator, settings=settings
    )

    assert follow_up.content["follow_ups"] == [
        {
            "dimension": 1,
            "finding_id": published.pk,
            "finding": published.text,
            "progress": "addressed",
            "note": "Progress noted.",
        }
    ]
    assert follow_up.content["previous_year"] == 2019
    assert MARKER not in json.dumps(follow_up.content)
    responses = _public_text(client, [round_one, follow_up])
    assert published.text.encode() in responses[follow_up.get_absolute_url()]
    assert not _leaks(responses), _leaks(responses)


def test_follow_up_of_a_round_never_published_quotes_nothing(
    client, government, staff, validator, settings
):
    baseline = AssessmentFactory(government=government, year=2019, introduction=MARKER)
    factories.answer_all(baseline, text=MARKER)
    Finding.objects.filter(assessment=baseline).update(text=MARKER)
    follow_up = publish(
        _follow_up_round(baseline), staff=staff, validator=validator, settings=settings
    )

    assert follow_up.content["follow_ups"] == []
    assert follow_up.content["previous_year"] is None
    assert not _leaks(_public_text(client, [follow_up]))


def test_an_embargoed_earlier_round_is_not_quoted_before_its_release(
    government, staff, validator, settings
):
    later = timezone.now() + datetime.timedelta(days=7)
    baseline = publish(
        AssessmentFactory(government=government, year=2019),
        staff=staff,
        validator=validator,
        settings=settings,
        release_at=later,
    )
    follow_up = _follow_up_round(baseline.assessment)
    assert profile_content.build(follow_up)["follow_ups"] == []


# --- Withdrawn before anyone could read it -------------------------------------------------------


def test_a_publication_withdrawn_under_embargo_answers_404_everywhere(
    client, government, staff, validator, settings
):
    later = timezone.now() + datetime.timedelta(days=7)
    embargoed = publish(
        AssessmentFactory(government=government, year=2024),
        staff=staff,
        validator=validator,
        settings=settings,
        release_at=later,
    )
    workflow.apply(workflow.WITHDRAW, embargoed.assessment, by=staff, note=f"Reason {MARKER}")
    embargoed.refresh_from_db()
    pdf = reverse(
        "profiles:pdf",
        kwargs={"slug": government.slug, "year": 2024, "version": 1, "language": "en"},
    )
    for url in [
        "/profiles/chl/",
        "/profiles/chl/2024/",
        embargoed.get_absolute_url(),
        "/ar/profiles/chl/2024/",
        pdf,
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert MARKER.encode() not in body(response)
    # Still 404 once its release time has passed: it was never public.
    Publication.objects.filter(pk=embargoed.pk).update(
        release_at=embargoed.withdrawn_at
        - datetime.timedelta(seconds=1)
        + datetime.timedelta(days=1)
    )
    assert client.get("/profiles/chl/2024/").status_code == 404


def test_a_publication_withdrawn_after_release_still_answers_410_with_its_reason(
    client, government, staff, validator, settings
):
    publication = publish(
        AssessmentFactory(government=government, year=2024),
        staff=staff,
        validator=validator,
        settings=settings,
    )
    workflow.apply(workflow.WITHDRAW, publication.assessment, by=staff, note="Data error found.")
    response = client.get("/profiles/chl/2024/")
    assert response.status_code == 410 and b"Data error found." in response.content


# --- The validator signs what they saw -----------------------------------------------


@pytest.fixture
def everything(round_one, staff):
    """A submitted follow-up round with a distinct text in every field the content holds."""
    assessment = follow_up_with_every_text(round_one.assessment)
    content = profile_content.build(assessment, include_translations=False)
    ContentTranslation.objects.create(
        assessment=assessment,
        language="fr",
        texts={
            key: f"FR {value}" for key, value in profile_content.translatable_texts(content).items()
        },
        source_hashes=profile_content.source_hashes(profile_content.translatable_texts(content)),
    )
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    return assessment


def _sign_off_url(assessment) -> str:
    return reverse("admin:profiles_assessment_sign_off", args=[assessment.pk])


def _readable_and_exact(page: str) -> tuple[str, str]:
    """The page's visible text outside the exact-content block, and that block's JSON."""
    exact = re.search(r'<pre tabindex="0" class="mgi-canonical"[^>]*>(.*?)</pre>', page, re.S)
    readable = page.replace(exact.group(0), "")
    text = re.sub(r"<[^>]+>", " ", readable)
    return " ".join(html.unescape(text).split()), html.unescape(exact.group(1))


def test_the_sign_off_page_shows_every_text_the_hash_covers(everything, validator):
    client = Client()
    client.force_login(validator)
    page = client.get(_sign_off_url(everything)).content.decode()
    readable, exact = _readable_and_exact(page)
    review = signoff.review(everything)
    assert review.languages == ["en", "fr"]

    # The exact block is the canonical content itself, and its hash is the form's.
    assert exact == profile_content.canonical_json(review.content).decode()
    assert f'name="reviewed_hash" value="{review.content_hash}"' in page
    assert review.content_hash in readable
    missing = []
    for path, text in signoff.signed_texts(review.content):
        language = re.search(r"\.i18n\.(\w+)\.", path)
        if language and language.group(1) not in review.languages:
            continue  # framework wording in a language not being validated: in the exact block
        if " ".join(text.split()) not in readable:
            missing.append(path)
    assert not missing, missing[:20]
    for text in (
        "Evidence four, article 12.",
        "Congress of the Republic",
        "https://example.org/stats",
        "FR Justification three.",
        "Follow-up note eight.",
        "units six",
    ):
        assert text in readable


def test_a_sign_off_of_content_changed_since_the_page_showed_it_is_refused(
    everything, validator, staff
):
    client = Client()
    client.force_login(validator)
    url = _sign_off_url(everything)
    shown = re.search(r'name="reviewed_hash" value="(\w+)"', client.get(url).content.decode())[1]
    # Meanwhile staff reopen it, change a justification and submit it again.
    workflow.apply(workflow.REOPEN, everything, by=staff, note="One more fix.")
    everything.answers.filter(pk=everything.answers.order_by("pk").first().pk).update(
        justification="Changed after the validator read it."
    )
    workflow.apply(workflow.SHARE, everything, by=staff)
    workflow.apply(workflow.SUBMIT, everything, by=staff)

    form = {"name": "Ana", "title": "Director", "ministry": "Interior", "statement": "Validated."}
    response = client.post(url, {**form, "reviewed_hash": shown})
    assert response.status_code == 200
    assert not SignOff.objects.filter(assessment=everything).exists()
    everything.refresh_from_db()
    assert everything.status == AssessmentStatus.SUBMITTED
    message = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Review the content again" in message
    page = response.content.decode()
    current = signoff.current_hash(everything)
    assert "Changed after the validator read it." in page
    assert f'name="reviewed_hash" value="{current}"' in page and current != shown
    assert 'value="Ana"' in page  # what they typed is kept

    client.post(url, {**form, "reviewed_hash": current})
    everything.refresh_from_db()
    assert everything.status == AssessmentStatus.VALIDATED
    assert SignOff.objects.get(assessment=everything).content_hash == current


def test_a_sign_off_without_the_shown_hash_is_refused(everything, validator):
    with pytest.raises(workflow.ContentChanged):
        workflow.apply(workflow.VALIDATE, everything, by=validator, sign_off=factories.SIGN_OFF)
    client = Client()
    client.force_login(validator)
    form = {"name": "Ana", "title": "Director", "ministry": "Interior", "statement": "Validated."}
    client.post(_sign_off_url(everything), form)
    assert not SignOff.objects.filter(assessment=everything).exists()


def test_the_public_sign_off_block_states_the_hash_and_what_it_covers(
    client, everything, validator, staff, settings
):
    settings.MGI_PUBLICATION_RENDERERS = ["profiles.outputs.pages.render_profile_pages"]
    workflow.apply(
        workflow.VALIDATE, everything, by=validator, sign_off=factories.sign_off_for(everything)
    )
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.PUBLISH, everything, by=staff)
    publication = Publication.objects.get(assessment=everything)
    text = html.unescape(client.get(publication.get_absolute_url()).content.decode())
    assert publication.content_hash in text
    assert "It covers everything this version publishes" in text
    assert "translations validated (en, fr)" in text
