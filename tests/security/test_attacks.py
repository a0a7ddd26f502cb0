"""An attacker's tour: hostile text in every field, hostile URLs, drafts, forged actions.

Every public page, file and API endpoint is found by reversing the URLconf and
crawling its links (tests/security/surfaces.py), so surfaces added later are
covered without editing these tests.
"""

import csv
import io

import pytest
from django.test import Client

from profiles import content as profile_content
from profiles import workflow
from profiles.models import (
    Assessment,
    AssessmentStatus,
    ContentTranslation,
    ContextFigure,
    Finding,
    Publication,
    Source,
    StatusChange,
)
from tests import factories
from tests.security.surfaces import body, crawl, public_urls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("with_pdfs")]

XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
# Markers that exist only if the payload reached a page unescaped.
UNESCAPED = (b"<script>alert(1)", b"<img src=x onerror", b"onerror=alert(1)>")
FORMULA = '=HYPERLINK("http://evil.example/","click")'
ACTIVE_TYPES = ("text/html", "application/xhtml", "image/svg", "text/xml", "application/xml")


def _hostile_assessment(*, government, staff, text: str) -> Assessment:
    """An assessment whose every free text is `text` (formula-injection text for one finding)."""
    assessment = factories.AssessmentFactory(government=government, introduction=text, summary=text)
    factories.answer_all(assessment, text=text)
    assessment.answers.update(evidence=text)
    dimension = assessment.framework.dimensions.get(code=2)
    Finding.objects.create(
        assessment=assessment, dimension=dimension, kind="potential", text=FORMULA
    )
    Finding.objects.create(
        assessment=assessment,
        dimension=dimension,
        kind="well_developed",
        text=text,
        is_good_practice=True,
    )
    Source.objects.create(
        assessment=assessment,
        title=text,
        issuer=text,
        year=2020,
        url="https://example.org/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    )
    ContextFigure.objects.create(
        assessment=assessment,
        kind="migrant_stock",
        label=text,
        value=1000,
        unit="<img src=x onerror=alert(1)>",
        year=2020,
        source=text,
    )
    content = profile_content.build(assessment, include_translations=False)
    ContentTranslation.objects.create(
        assessment=assessment,
        language="fr",
        texts=dict.fromkeys(profile_content.translatable_texts(content), text),
        source_hashes=profile_content.source_hashes(profile_content.translatable_texts(content)),
    )
    return assessment


def _publish(assessment: Assessment, *, staff, validator, sign_off=None) -> Publication:
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    workflow.apply(
        workflow.VALIDATE,
        assessment,
        by=validator,
        sign_off=factories.sign_off_for(assessment, details=sign_off),
    )
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.PUBLISH, assessment, by=staff)
    return Publication.objects.filter(assessment=assessment).latest("version")


@pytest.fixture
def hostile(staff):
    """A live publication of a local government whose every text is an XSS payload."""
    government = factories.LocalGovernmentFactory(name=XSS, country="CL")
    validator = factories.official(government, role="validator", username="hostile-validator")
    assessment = _hostile_assessment(government=government, staff=staff, text=XSS)
    hostile_sign_off = workflow.SignOffDetails(
        name=XSS, title=XSS, ministry=XSS, statement=XSS, reviewed_hash=""
    )
    return _publish(assessment, staff=staff, validator=validator, sign_off=hostile_sign_off)


def test_xss_payload_never_reaches_a_page_unescaped(hostile):
    """Every public page, file and API answer shows hostile text as text, never as markup.

    CSV downloads also neutralise spreadsheet formulas (a finding starting with '=').
    """
    client = Client()
    failures, checked, shown_as_text, csv_files = [], [], [], []

    def visit(url, response):
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        content_type = response.get("Content-Type", "")
        data = body(response)
        checked.append((url, content_type))
        if b"&lt;script&gt;alert(1)&lt;/script&gt;" in data:
            shown_as_text.append(url)
        if response.status_code == 200 and "csv" in content_type:
            csv_files.append((url, data.decode("utf-8-sig")))
        if content_type.startswith(ACTIVE_TYPES):
            failures.extend(f"{url}: {m!r}" for m in UNESCAPED if m in data)
        elif response.status_code == 200 and data:
            # Data (JSON, CSV, PDF) may hold the text verbatim; browsers must not sniff it.
            assert response.get("X-Content-Type-Options") == "nosniff", url

    crawl(client, ["/", *public_urls([hostile])], limit=300, visit=visit)
    assert not failures, failures
    kinds = {content_type.split(";")[0] for _url, content_type in checked}
    # The tour reached pages, the PDF, open data and the API.
    assert {"text/html", "application/pdf", "application/json"} <= kinds, kinds
    # The payload did reach the pages, escaped.
    assert shown_as_text
    assert csv_files, "no CSV download found"
    for url, text in csv_files:
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.startswith(("=", "+", "@")), f"{url}: {cell[:40]!r}"


def test_url_fields_refuse_script_urls(government):
    """A `javascript:` address cannot be stored through validation (forms, imports)."""
    from django.core.exceptions import ValidationError

    assessment = factories.AssessmentFactory(government=government)
    source = Source(assessment=assessment, title="Law", url="javascript:alert(1)")
    with pytest.raises(ValidationError):
        source.full_clean()


HOSTILE_QUERIES = [
    "' OR 1=1--",
    "1; DROP TABLE profiles_publication;--",
    '" UNION SELECT password FROM auth_user--',
    "../../../../etc/passwd",
    "..%2F..%2Fmgi_portal%2Fsettings.py",
    "%00",
    "<script>alert(1)</script>",
    "9" * 40,
    "-1",
]
HOSTILE_PATHS = [
    "/profiles/..%2F..%2Fetc%2Fpasswd/",
    "/profiles/chl'--/",
    "/profiles/chl/99999999999999999999/",
    "/profiles/chl/2024/v99999999999999/",
    "/profiles/%2e%2e/%2e%2e/mgi_portal/settings.py",
    "/data/../../mgi_portal/settings.py",
    "/data/..%2F..%2Fmgi_portal%2Fsettings.py",
    "/data/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/api/v1/publications/1%20OR%201=1/",
    "/api/v1/governments/..%2F..%2F/",
    "/media/../mgi_portal/settings.py",
    "/static/../mgi_portal/settings.py",
]
SECRETS = (b"SECRET_KEY", b"root:x:0:0", b"DATABASES", b"Traceback")


def test_hostile_filters_and_paths_fail_safely(staff, validator, government):
    """SQL-ish and traversal input in filters, slugs and file names: no 500, no data leak."""
    draft = factories.AssessmentFactory(government=government, introduction="DRAFT-ONLY-7f3a")
    factories.answer_all(draft)
    client = Client()
    filter_urls = [
        "/profiles/",
        "/good-practices/",
        "/api/v1/publications/",
        "/api/v1/answers/",
        "/api/v1/findings/",
        "/api/v1/governments/",
    ]
    params = [
        "q",
        "search",
        "region",
        "level",
        "framework",
        "year",
        "indicator",
        "dimension",
        "answer",
        "value",
        "government",
        "country",
        "page",
        "ordering",
        "format",
    ]
    for base in filter_urls:
        for value in HOSTILE_QUERIES:
            response = client.get(base, dict.fromkeys(params, value))
            assert response.status_code < 500, (base, value, response.status_code)
            data = body(response)
            assert b"DRAFT-ONLY-7f3a" not in data
            assert not any(secret in data for secret in SECRETS), (base, value)
    for path in HOSTILE_PATHS:
        response = client.get(path)
        assert response.status_code in (301, 302, 400, 404, 410), (path, response.status_code)
        assert not any(secret in body(response) for secret in SECRETS), path


def test_drafts_and_embargoed_versions_never_reach_a_public_surface(staff, validator, government):
    """Draft, submitted, embargoed and withdrawn content is on no public page, file or API."""
    import datetime

    from django.utils import timezone

    live = factories.published(
        factories.AssessmentFactory(government=government, year=2020),
        staff=staff,
        validator=validator,
    )
    live_publication = Publication.objects.get(assessment=live)
    # A draft round and a submitted round, each with its own marker.
    for year, marker, steps in (
        (2021, "DRAFT-MARKER-41", []),
        (2022, "SUBMITTED-MARKER-42", [workflow.SHARE, workflow.SUBMIT]),
    ):
        assessment = factories.AssessmentFactory(
            government=government, year=year, introduction=marker, summary=marker
        )
        factories.answer_all(assessment, text=marker)
        for step in steps:
            workflow.apply(step, assessment, by=staff)
    embargoed = factories.AssessmentFactory(
        government=government, year=2023, introduction="EMBARGO-MARKER-43", summary="x"
    )
    factories.answer_all(embargoed, text="EMBARGO-MARKER-43")
    factories.published(
        embargoed,
        staff=staff,
        validator=validator,
        release_at=timezone.now() + datetime.timedelta(days=30),
    )
    embargoed_publication = Publication.objects.get(assessment=embargoed)
    client = Client()
    markers = (b"DRAFT-MARKER-41", b"SUBMITTED-MARKER-42", b"EMBARGO-MARKER-43")
    leaks = []

    def visit(url, response):
        assert response.status_code < 500, (url, response.status_code)
        data = body(response)
        leaks.extend(f"{url}: {m!r}" for m in markers if m in data)

    urls = public_urls([live_publication, embargoed_publication])
    urls += [
        f"/api/v1/publications/{embargoed_publication.pk}/",
        f"/api/v1/publications/{embargoed_publication.pk}.json",
    ]
    seen = crawl(client, ["/", "/sitemap.xml", *urls], limit=300, visit=visit)
    assert not leaks, leaks
    assert any(r.status_code == 200 for r in seen.values())
    # The embargoed version's own URLs answer as if it did not exist.
    embargoed_url = embargoed_publication.get_absolute_url()
    assert client.get(embargoed_url).status_code == 404


# --- Forged and replayed workflow actions --------------------------------------------------


def _transition_url(assessment: Assessment, name: str) -> str:
    from django.urls import reverse

    return reverse("admin:profiles_assessment_transition", args=[assessment.pk, name])


def _snapshot(assessment: Assessment) -> tuple:
    assessment.refresh_from_db()
    return (
        assessment.status,
        StatusChange.objects.filter(assessment=assessment).count(),
        Publication.objects.filter(assessment=assessment).count(),
    )


@pytest.fixture
def other_government_submitted(staff):
    """Ghana's assessment, submitted for validation."""
    ghana = factories.GovernmentFactory(country="GH")
    assessment = factories.AssessmentFactory(government=ghana)
    factories.answer_all(assessment)
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    return assessment


def test_forged_transitions_on_another_governments_assessment_change_nothing(
    focal_point, validator, other_government_submitted
):
    """Chile's officials POST every action at Ghana's assessment: refused, nothing changes."""
    target = other_government_submitted
    before = _snapshot(target)
    for user in (focal_point, validator):
        client = Client()
        client.force_login(user)
        for name in workflow.BY_NAME:
            response = client.post(_transition_url(target, name), {"note": "forged"})
            assert response.status_code in (302, 403, 404), (user, name, response.status_code)
        from django.urls import reverse

        sign_off = reverse("admin:profiles_assessment_sign_off", args=[target.pk])
        response = client.post(
            sign_off, {"name": "X", "title": "X", "ministry": "X", "statement": "X"}
        )
        assert response.status_code in (403, 404)
    assert _snapshot(target) == before


def test_officials_cannot_publish_their_own_validated_assessment(
    staff, focal_point, validator, government
):
    """Only IOM staff publish: a focal point's or validator's forged publish POST is refused."""
    assessment = factories.AssessmentFactory(government=government)
    factories.answer_all(assessment)
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    workflow.apply(
        workflow.VALIDATE, assessment, by=validator, sign_off=factories.sign_off_for(assessment)
    )
    before = _snapshot(assessment)
    for user in (focal_point, validator):
        client = Client()
        client.force_login(user)
        client.post(_transition_url(assessment, workflow.PUBLISH.name), {"note": "forged"})
    assert _snapshot(assessment) == before
    assert before[0] == AssessmentStatus.VALIDATED


def test_replayed_publish_makes_one_publication(staff, validator, government):
    """Posting the same publish action twice (double click, replay) publishes once."""
    assessment = factories.AssessmentFactory(government=government)
    factories.answer_all(assessment)
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    workflow.apply(
        workflow.VALIDATE, assessment, by=validator, sign_off=factories.sign_off_for(assessment)
    )
    client = Client()
    client.force_login(staff)
    url = _transition_url(assessment, workflow.PUBLISH.name)
    client.post(url, {"note": "first"})
    after_first = _snapshot(assessment)
    assert after_first[2] == 1
    client.post(url, {"note": "replayed"})
    client.post(_transition_url(assessment, workflow.SUBMIT.name), {"note": "stale tab"})
    assert _snapshot(assessment) == after_first


def test_workflow_actions_need_post_csrf_and_login(staff, validator, government):
    """GET, a POST without the CSRF token and an anonymous POST all change nothing."""
    assessment = factories.AssessmentFactory(government=government)
    factories.answer_all(assessment)
    before = _snapshot(assessment)
    url = _transition_url(assessment, workflow.SHARE.name)
    logged_in = Client()
    logged_in.force_login(staff)
    assert logged_in.get(url).status_code == 405
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(staff)
    assert csrf_client.post(url, {"note": "no token"}).status_code == 403
    anonymous = Client().post(url, {"note": "anonymous"})
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert _snapshot(assessment) == before
