"""Public pages: status codes, filters, language prefixes, caching, pinned query counts,
withdrawn and embargoed publications, and no draft text in any response."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from indicators.models import Indicator
from profiles import workflow
from profiles.models import Finding, FindingKind, Publication
from tests import factories
from tests.factories import AssessmentFactory, GovernmentFactory, LocalGovernmentFactory
from tests.profiles.publications import DRAFT_MARKER, clone, correct, publish, store_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def chile(government, staff, validator, settings):
    """Chile's 2024 national profile, published through the real workflow."""
    assessment = AssessmentFactory(government=government, year=2024)
    return publish(assessment, staff=staff, validator=validator, settings=settings)


@pytest.fixture
def santiago(chile, staff, settings):
    """Santiago (a local government of Chile), published."""
    local = LocalGovernmentFactory()
    validator = factories.official(local, role="validator", username="santiago-validator")
    assessment = AssessmentFactory(government=local, year=2023)
    return publish(assessment, staff=staff, validator=validator, settings=settings)


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


# --- Status codes and language prefixes ---------------------------------------------


PUBLIC_URLS = [
    "/",
    "/profiles/",
    "/profiles/chl/",
    "/profiles/chl/2024/",
    "/profiles/chl/2024/v1/",
    "/profiles/chl/compare/",
    "/profiles/santiago-chl/",
    "/profiles/santiago-chl/compare/national/",
    "/indicators/",
    "/indicators/gcm/",
    "/indicators/sdg-10-7-2/",
    "/good-practices/",
    "/about/",
]


@pytest.mark.parametrize("prefix", ["", "/fr", "/es", "/ar"])
def test_every_public_page_answers_in_every_language(client, santiago, prefix):
    language = prefix.strip("/") or "en"
    for url in PUBLIC_URLS:
        html = page(client, prefix + url)
        assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
        assert 'hreflang="x-default"' in html


def test_indicator_page_answers(client, chile):
    indicator = Indicator.objects.filter(framework__slug="mgi-national-2022").first()
    html = page(client, f"/indicators/mgi-national-2022/{indicator.code}/")
    assert indicator.code in html
    page(client, "/indicators/mgi-national-2022/NOPE/", status=404)


def test_unknown_government_and_draft_round_are_404_in_the_site_style(client, chile):
    html = page(client, "/profiles/nowhere/", status=404)
    assert "Page not found" in html and 'class="site-header"' in html
    AssessmentFactory(government=chile.government, year=2025, introduction=DRAFT_MARKER)
    page(client, "/profiles/chl/2025/", status=404)
    page(client, "/profiles/chl/2024/v2/", status=404)


def test_healthz_robots_and_sitemap(client, chile):
    assert client.get("/healthz").json()["status"] == "ok"
    robots = page(client, "/robots.txt")
    assert "Sitemap: http://testserver/sitemap.xml" in robots and "Disallow: /admin/" in robots
    index = page(client, "/sitemap.xml")
    assert "<loc>http://testserver/sitemap-versions.xml</loc>" in index
    assert "http://testserver/profiles/chl/2024/v1/" in page(client, "/sitemap-versions.xml")
    governments = page(client, "/sitemap-governments.xml")
    assert 'hreflang="ar" href="http://testserver/ar/profiles/chl/"' in governments
    assert 'hreflang="x-default"' in governments


# --- Profile page ---------------------------------------------------------------------


def test_profile_page_shows_the_whole_published_profile(client, chile):
    html = page(client, "/profiles/chl/")
    assert (
        "<title>Migration Governance Indicators Profile 2024 | Chile · MGI Portal</title>" in html
    )
    assert "<h1>Migration Governance Indicators Profile 2024 | Chile</h1>" in html
    assert "Introduction text." in html and "Summary text." in html
    assert "Health services are open to all migrants." in html  # well-developed area
    assert "Family reunification rules could be clearer." in html  # area with potential
    total = sum(len(a["indicators"]) for d in chile.content["dimensions"] for a in d["areas"])
    assert html.count('<div class="indicator"') == total > 50
    assert re.search(
        r"Validated by Ana Validator, Director, Ministry of the Interior on .+, version 1", html
    )
    assert "Assessment launched" in html and "Published" in html
    assert "@misc{mgi-chl-2024-v1," in html  # BibTeX
    assert "International Organization for Migration (IOM). Migration Governance" in html
    assert '"@type": "Dataset"' in html
    assert '<link rel="canonical" href="http://127.0.0.1:8000/profiles/chl/">' in html
    assert (
        'property="og:title" content="Migration Governance Indicators Profile 2024 | Chile"' in html
    )
    assert "reconstructed" in html.lower() or chile.framework.wording_note == ""
    assert "Sample data:" not in html


def test_sample_profile_says_so(client, government, staff, validator, settings):
    assessment = AssessmentFactory(government=government, is_sample=True)
    publish(assessment, staff=staff, validator=validator, settings=settings)
    assert "Sample data:" in page(client, "/profiles/chl/")


def test_downloads_are_listed_only_when_their_files_exist(client, chile):
    assert "Downloads" not in page(client, "/profiles/chl/2024/v1/")
    store_file(chile, "pdf", "en", b"%PDF-1.7")
    store_file(chile, "csv", "en", b"a,b\n")
    cache.clear()
    html = page(client, "/profiles/chl/2024/v1/")
    assert "Downloads" in html and "PDF" in html and "CSV" in html
    assert ">JSON<" not in html


def test_local_and_national_profiles_link_each_other(client, santiago):
    national = page(client, "/profiles/chl/")
    assert "Local profiles in this country" in national and "/profiles/santiago-chl/" in national
    local = page(client, "/profiles/santiago-chl/")
    assert "<h1>Local Migration Governance Indicators Profile 2023 | Santiago</h1>" in local
    assert "National profile of this country" in local and 'href="/profiles/chl/"' in local
    assert "/profiles/santiago-chl/compare/national/" in local


def test_french_page_notes_untranslated_content_and_marks_its_language(client, chile):
    html = page(client, "/fr/profiles/chl/")
    assert 'id="translation-note"' in html and "affichés en anglais (langue originale)" in html
    assert '<div class="prose" lang="en" dir="ltr">' in html
    assert 'href="/fr/profiles/chl/"' in html  # alternates and switcher keep the page
    assert "<p" in html and 'lang="en"' in html


def test_correction_keeps_old_version_at_its_permalink(client, chile, staff, validator, settings):
    v2 = correct(
        chile.assessment,
        staff=staff,
        validator=validator,
        settings=settings,
        text="Corrected wording.",
    )
    assert v2.version == 2
    latest = page(client, "/profiles/chl/")
    assert "Corrected wording." in latest and "/profiles/chl/2024/v1/" in latest
    old = page(client, "/profiles/chl/2024/v1/")
    assert "Corrected wording." not in old
    assert "which has been corrected since" in old


def test_withdrawn_publication_answers_410_with_the_public_reason(client, chile, staff):
    workflow.apply(workflow.WITHDRAW, chile.assessment, by=staff, note="Data error found.")
    for url in (
        "/profiles/chl/",
        "/profiles/chl/2024/",
        "/profiles/chl/2024/v1/",
        "/fr/profiles/chl/",
    ):
        html = page(client, url, status=410)
        assert "Data error found." in html
        assert "Introduction text." not in html
    assert "/profiles/chl/" not in page(client, "/sitemap-governments.xml")
    assert "/profiles/chl/" not in page(client, "/sitemap-versions.xml")


def test_embargoed_and_unrendered_publications_are_404(
    client, government, staff, validator, settings
):
    later = timezone.now() + datetime.timedelta(days=2)
    assessment = AssessmentFactory(government=government)
    publication = publish(
        assessment, staff=staff, validator=validator, release_at=later, settings=settings
    )
    for url in ("/profiles/chl/", "/profiles/chl/2024/v1/"):
        page(client, url, status=404)
    assert "Chile" not in page(client, "/profiles/")
    Publication.objects.filter(pk=publication.pk).update(release_at=timezone.now(), ready_at=None)
    page(client, "/profiles/chl/", status=404)


# --- Caching ------------------------------------------------------------------------------


def test_permalink_is_immutable_and_answers_304_to_its_etag(client, chile):
    response = client.get("/profiles/chl/2024/v1/")
    # Browsers keep a version for a year; nginx or a CDN ask again after a minute.
    assert response["Cache-Control"] == "public, max-age=31536000, s-maxage=60, immutable"
    assert response["Last-Modified"]
    again = client.get("/profiles/chl/2024/v1/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    latest = client.get("/profiles/chl/")
    assert latest["Cache-Control"] == "public, max-age=300, s-maxage=60"
    assert latest["ETag"] != response["ETag"]


def test_profile_page_costs_no_query_once_cached(client, chile, django_assert_num_queries):
    with django_assert_num_queries(3):  # family; files; publication with content and sign-off
        client.get("/profiles/chl/")
    with django_assert_num_queries(0):  # the whole response comes from the cache
        response = client.get("/profiles/chl/")
    assert response.status_code == 200
    assert response["ETag"]
    with django_assert_num_queries(0):  # and a revalidation is a 304 without a query
        assert client.get("/profiles/chl/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_new_publication_changes_the_cached_page(client, chile, staff, settings):
    assert "Local profiles in this country" not in page(client, "/profiles/chl/")
    local = LocalGovernmentFactory()
    validator = factories.official(local, role="validator", username="sv")
    publish(
        AssessmentFactory(government=local, year=2023),
        staff=staff,
        validator=validator,
        settings=settings,
    )
    assert "Local profiles in this country" in page(client, "/profiles/chl/")


# --- Query counts, constant in the number of governments -------------------------------------


def _counts(client, urls, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for url in urls:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[url] = len(queries)
    return counts


PINNED = {
    "/": 4,  # whether the newest publications are recorded; assessed countries; recent; dimensions
    "/profiles/": 3,  # count; page; framework choices
    "/profiles/?level=national&region=019&year=2024&language=en&q=chile": 3,
    "/profiles/?framework=mgi-national-2022": 4,  # + the framework filter's lookup
    "/profiles/chl/": 3,
    "/profiles/chl/compare/": 1,  # rounds (one round: nothing to match)
    "/indicators/": 4,  # frameworks; dimensions; areas; indicators
    "/indicators/gcm/": 2,
    "/indicators/sdg-10-7-2/": 2,
    "/good-practices/": 3,  # dimension names; count; page
    "/about/": 0,
}


def test_query_counts_are_pinned_and_do_not_grow_with_governments(
    client, santiago, django_assert_max_num_queries
):
    indicator = Indicator.objects.filter(framework__slug="mgi-national-2022").first()
    # indicator, its GCM objectives, SDG domains, successors; whether the answer tallies
    # are current; their sums; the page of answers
    urls = {**PINNED, f"/indicators/mgi-national-2022/{indicator.code}/?level=national": 7}
    before = _counts(client, urls, django_assert_max_num_queries)
    assert before == urls
    clone(Publication.objects.get(government__slug="chl"), countries=["FR", "DE", "IT", "KE"])
    assert _counts(client, urls, django_assert_max_num_queries) == urls


# --- Profiles list: filters, search, pagination ----------------------------------------------


@pytest.fixture
def many(chile, santiago):
    return clone(chile, countries=["FR", "DE", "KE", "NG", "JP"])


def names(html):
    return re.findall(r'<li>\s*<a href="(?:/[a-z]{2})?/profiles/[^"]+/\d+/">([^<]+)</a>', html)


def test_list_filters_by_level_region_subregion_year_round_framework_and_language(client, many):
    assert len(names(page(client, "/profiles/"))) == 7
    assert names(page(client, "/profiles/?level=local")) == ["Santiago 2023"]
    assert names(page(client, "/profiles/?region=002")) == ["Kenya 2024", "Nigeria 2024"]
    assert names(page(client, "/profiles/?subregion=155")) == ["France 2024", "Germany 2024"]
    assert names(page(client, "/profiles/?year=2023")) == ["Santiago 2023"]
    assert len(names(page(client, "/profiles/?round=1"))) == 7
    assert names(page(client, "/profiles/?framework=mgi-local-2019")) == ["Santiago 2023"]
    assert names(page(client, "/profiles/?language=fr")) == []
    assert len(names(page(client, "/profiles/?language=en"))) == 7


def test_list_is_alphabetical_in_the_page_language(client, many):
    english = names(page(client, "/profiles/?level=national"))
    assert english == sorted(english, key=str.lower)
    assert names(page(client, "/fr/profiles/?level=national"))[:2] == [
        "Allemagne 2024",
        "Chili 2024",
    ]


def test_search_matches_country_names_local_names_and_profile_text(client, many):
    assert names(page(client, "/profiles/?q=chile")) == ["Chile 2024"]
    assert names(page(client, "/profiles/?q=santiago")) == ["Santiago 2023"]
    assert names(page(client, "/fr/profiles/?q=allemagne")) == ["Allemagne 2024"]
    assert len(names(page(client, "/profiles/?q=family+reunification+rules"))) == 7


def test_empty_and_invalid_filters_show_an_empty_state(client, many):
    html = page(client, "/profiles/?q=nothing-like-this")
    assert "No published profile matches these filters." in html and "Clear all filters" in html
    assert "No published profile matches" in page(client, "/profiles/?level=planet")


def test_pagination_keeps_the_filters_in_the_query_string(client, chile):
    clone(
        chile,
        countries=[
            "FR",
            "DE",
            "IT",
            "PT",
            "BR",
            "AR",
            "PE",
            "KE",
            "NG",
            "SN",
            "JP",
            "NZ",
            "GH",
            "MA",
            "TN",
            "EG",
            "ZA",
            "BW",
            "NA",
            "ZM",
            "MW",
            "MZ",
            "TZ",
            "UG",
            "RW",
            "ET",
        ],
    )
    html = page(client, "/profiles/?level=national")
    assert 'href="?level=national&amp;page=2"' in html and "Page 1 of 2" in html
    assert len(names(page(client, "/profiles/?level=national&page=2"))) == 2


# --- Indicators, good practices, comparisons ---------------------------------------------------


def test_indicator_page_shows_a_distribution_and_an_alphabetical_list(client, many):
    indicator = Indicator.objects.filter(framework__slug="mgi-national-2022").first()
    html = page(client, f"/indicators/mgi-national-2022/{indicator.code}/")
    assert "6 governments answered this indicator" in html
    assert re.search(r'<th scope="row">Fully present</th><td class="number">6</td>', html)
    listed = re.findall(r">([A-Z][a-z]+) 2024</a>: Fully present", html)
    assert listed == sorted(listed) and len(listed) == 6
    html = page(client, f"/indicators/mgi-national-2022/{indicator.code}/?region=142")
    assert "1 government answered this indicator" in html and "Japan 2024" in html


def test_good_practices_are_filterable_and_link_to_their_profile(client, many):
    html = page(client, "/good-practices/")
    assert "7 examples" in html and 'href="/profiles/chl/2024/#dimension-1"' in html
    assert "1 example" in page(client, "/good-practices/?level=local")
    assert "0 examples" in page(client, "/good-practices/?dimension=2")
    assert "2 examples" in page(client, "/good-practices/?region=002&dimension=1")


def test_compare_rounds_matches_indicators_across_framework_versions(
    client, government, staff, validator, settings, django_assert_num_queries
):
    first = AssessmentFactory(
        government=government,
        year=2018,
        framework=factories.Framework.objects.get(slug="mgi-national-2016"),
    )
    publish(first, staff=staff, validator=validator, settings=settings)
    second = AssessmentFactory(government=government, year=2023, round_number=2, previous=first)
    factories.answer_all(second, value="absent")
    potential = Finding.objects.get(assessment=first, kind=FindingKind.POTENTIAL)
    from profiles.models import FollowUp

    FollowUp.objects.create(
        assessment=second,
        finding=potential,
        progress="addressed",
        note="A new family reunification decree.",
    )
    publish(second, staff=staff, validator=validator, settings=settings)
    with django_assert_num_queries(2):  # rounds; equivalences
        html = page(client, "/profiles/chl/compare/")
    assert "Comparing 2018" in html and "A new family reunification decree." in html
    assert "Addressed" in html
    mapped = Indicator.objects.filter(framework__slug="mgi-national-2022", equivalent__isnull=False)
    assert html.count("<strong>Changed</strong>") == mapped.count()
    assert "total" not in html.lower() and "rank " not in html.lower()
    page(client, "/profiles/chl/compare/?from=1999", status=404)


def test_compare_rounds_marks_each_follow_up_text_in_the_language_it_is_shown_in(
    client, government, staff, validator, settings
):
    """A translated note is in the page's language; an untranslated finding says it is English."""
    from profiles import content
    from profiles.models import ContentTranslation, FollowUp

    first = AssessmentFactory(government=government, year=2018)
    publish(first, staff=staff, validator=validator, settings=settings)
    second = AssessmentFactory(government=government, year=2023, round_number=2, previous=first)
    potential = Finding.objects.get(assessment=first, kind=FindingKind.POTENTIAL)
    FollowUp.objects.create(
        assessment=second, finding=potential, progress="addressed", note="A new decree."
    )
    key = f"follow_up:{potential.pk}:note"
    ContentTranslation.objects.create(
        assessment=second,
        language="fr",
        texts={key: "Un nouveau décret."},
        source_hashes={key: content.text_hash("A new decree.")},
    )
    publish(second, staff=staff, validator=validator, settings=settings)
    html = page(client, "/fr/profiles/chl/compare/")
    progress = re.search(r'<ul class="progress-list">(.*?)</ul>', html, re.S).group(1)
    assert "<span>Un nouveau décret.</span>" in progress
    assert f'<span lang="en" dir="ltr">{potential.text}</span>' in progress


def test_national_and_local_side_by_side(client, santiago):
    html = page(client, "/profiles/santiago-chl/compare/national/")
    assert "Santiago (2023)" in html and "Chile (2024)" in html
    page(client, "/profiles/chl/compare/national/", status=404)


# --- Nothing unpublished leaks -------------------------------------------------------------------


def test_no_draft_content_appears_on_any_page(client, chile, staff, validator, settings):
    # A correction in progress of a published profile, and another government's drafts
    # at every stage before publication, all carrying the marker.
    workflow.apply(workflow.REVISE, chile.assessment, by=staff, note="Fix.")
    answer = chile.assessment.answers.order_by("pk").first()
    answer.justification = DRAFT_MARKER
    answer.save()
    ghana = GovernmentFactory(country="GH")
    draft = AssessmentFactory(
        government=ghana, year=2025, introduction=DRAFT_MARKER, summary=DRAFT_MARKER
    )
    factories.answer_all(draft, text=DRAFT_MARKER)
    Finding.objects.create(
        assessment=draft,
        dimension=draft.framework.dimensions.get(code=1),
        kind="well_developed",
        text=DRAFT_MARKER,
        is_good_practice=True,
    )
    ghana_validator = factories.official(ghana, role="validator", username="ghv")
    workflow.apply(workflow.SHARE, draft, by=staff)
    workflow.apply(workflow.SUBMIT, draft, by=staff)
    workflow.apply(
        workflow.VALIDATE, draft, by=ghana_validator, sign_off=factories.sign_off_for(draft)
    )
    indicator = Indicator.objects.filter(framework__slug="mgi-national-2022").first()
    urls = [
        *PUBLIC_URLS[:6],
        "/profiles/gha/",
        "/profiles/gha/2025/",
        "/profiles/gha/compare/",
        f"/indicators/mgi-national-2022/{indicator.code}/",
        "/good-practices/",
        "/sitemap.xml",
        "/sitemap-governments.xml",
        "/sitemap-versions.xml",
        "/fr/",
        "/ar/profiles/chl/",
    ]
    assert "0 profiles" in page(client, f"/profiles/?q={DRAFT_MARKER}")
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert DRAFT_MARKER.encode() not in response.content, url
        assert b"Ghana" not in response.content or url.startswith("/profiles/gha"), url
