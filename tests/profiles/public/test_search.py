"""Full-text search: values only, linked snippets, the query syntax, on both databases.

The suite runs on SQLite and on PostgreSQL (CI runs both). PostgreSQL adds what
SQLite cannot do (stemming, accent folding, ranking); where the two differ the
test asserts each database's documented behaviour (README, "Search").
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from profiles import search as search_index
from profiles import workflow
from profiles.models import Answer, PublicationSearch
from profiles.public import search as public_search
from profiles.public import selectors
from profiles.search import normalise
from tests import factories
from tests.factories import AssessmentFactory, GovernmentFactory
from tests.profiles.publications import DRAFT_MARKER, clone, publish

pytestmark = pytest.mark.django_db

ROW = r'<li>\s*<a href="(?:/[a-z]{2})?/profiles/[^"]+/\d+/">([^<]+)</a>'

POSTGRES = connection.vendor == "postgresql"

#: Justifications written into the first answers of Chile's profile.
JUSTIFICATIONS = [
    "The quokkaville agreement gives migrants access to courts.",
    "Labour mobility schemes cover seasonal workers.",
    "The ley de inclusión names one migrant focal point.",
    "Consular services & <script>alert(1)</script> embassies reach emigrants.",
    "تنظيم الهِجْرَة وإدارة أمن الحدود",
    "The focal point studied the reform.",
]


@pytest.fixture
def chile(government, staff, validator, settings):
    """Chile 2024, with distinctive justifications in its first answers."""
    assessment = AssessmentFactory(government=government, year=2024)
    factories.answer_all(assessment)
    answers = list(
        Answer.objects.filter(assessment=assessment)
        .select_related("indicator")
        .order_by("indicator__position", "pk")[: len(JUSTIFICATIONS)]
    )
    for answer, text in zip(answers, JUSTIFICATIONS, strict=True):
        answer.justification = text
        answer.save()
    publication = publish(assessment, staff=staff, validator=validator, settings=settings)
    publication.marked_codes = [answer.indicator.code for answer in answers]
    return publication


@pytest.fixture
def others(chile):
    """Germany and Kenya: the same content as Chile's but for the names."""
    return clone(chile, countries=["DE", "KE"])


def found(client, query: str, prefix: str = "") -> list[str]:
    """The profile names the list shows for `query`, in order."""
    response = client.get(f"{prefix}/profiles/", {"q": query})
    assert response.status_code == 200
    return re.findall(
        r'<li>\s*<a href="(?:/[a-z]{2})?/profiles/[^"]+/\d+/">([^<]+)</a>',
        response.content.decode(),
    )


def snippets(client, query: str) -> list[tuple[str, str]]:
    """(link, HTML) of every snippet on the list page for `query`."""
    html = client.get("/profiles/", {"q": query}).content.decode()
    return re.findall(r'<p class="snippet"><a href="([^"]+)"[^>]*>(.*?)</a></p>', html, re.S)


def test_json_keys_and_codes_never_match(client, chile):
    for key in ("migof_element", "original_language", "is_good_practice", "well_developed"):
        assert found(client, key) == [], key
        assert client.get("/api/v1/publications/", {"search": key}).json()["count"] == 0


def test_a_word_in_one_justification_finds_the_profile_and_links_to_its_indicator(client, chile):
    assert found(client, "quokkaville") == ["Chile 2024"]
    [(link, html)] = snippets(client, "quokkaville")
    indicator = chile.marked_codes[0].lower().replace(".", "")
    assert link == f"/profiles/chl/2024/#indicator-{indicator}"
    assert "<mark>quokkaville</mark>" in html.lower()
    page = client.get(link.split("#")[0]).content.decode()
    assert f'id="indicator-{indicator}"' in page


def test_snippets_are_escaped(client, chile):
    [(_link, html)] = snippets(client, "consular")
    # PostgreSQL's headline drops tags from the text; whatever is left is escaped.
    assert "<script>" not in html and "&amp;" in html
    assert "<mark>" in html


def test_government_names_match_in_every_language_without_a_snippet(client, chile, others):
    assert found(client, "chile") == ["Chile 2024"]
    assert found(client, "allemagne", prefix="/fr") == ["Allemagne 2024"]
    assert found(client, "Alemania") == ["Germany 2024"]
    assert snippets(client, "chile") == []  # the name is the match: the row already shows it


def test_stemming_and_accents_on_postgresql_substrings_on_sqlite(client, chile):
    # "migrant" is in every stemmed form on PostgreSQL and a substring of "migrants" anywhere.
    assert found(client, "migrant") == ["Chile 2024"]
    if POSTGRES:
        assert found(client, "workers") == found(client, "worker") == ["Chile 2024"]
        assert found(client, "scheme") == ["Chile 2024"]  # "schemes" in the text
        assert found(client, "inclusion") == ["Chile 2024"]  # "inclusión" in the text
        # "studying" is not in the text as typed: the snippet reads the whole document.
        [(link, html)] = snippets(client, "studying")
        assert "<mark>studied</mark>" in html and "#indicator-" in link
    else:
        assert found(client, "scheme") == ["Chile 2024"]  # a substring of "schemes"
        assert found(client, "worker") == ["Chile 2024"]
        assert found(client, "schemed") == []  # no stemming
        assert found(client, "inclusion") == []  # no accent folding
        assert found(client, "inclusión") == ["Chile 2024"]


def test_phrases_exclusions_and_or(client, chile, others):
    everyone = ["Chile 2024", "Germany 2024", "Kenya 2024"]
    assert found(client, '"labour mobility"') == everyone
    assert found(client, '"mobility labour"') == []
    assert sorted(found(client, "labour -kenya")) == ["Chile 2024", "Germany 2024"]
    assert sorted(found(client, "kenya OR chile")) == ["Chile 2024", "Kenya 2024"]
    assert found(client, "quokkaville -quokkaville") == []


def test_best_match_first_on_postgresql_alphabetical_on_sqlite(client, chile, others, monkeypatch):
    kenya = others[1]
    kenya.content["summary"] = "Labour migration: labour rights, labour inspection, labour law."
    search_index.index(kenya)
    alphabetical = ["Chile 2024", "Germany 2024", "Kenya 2024"]
    if POSTGRES:
        assert found(client, "labour") == ["Kenya 2024", "Chile 2024", "Germany 2024"]
    else:
        assert found(client, "labour") == alphabetical
    # A query that matches more documents than are worth ranking keeps the list's order.
    monkeypatch.setattr(public_search, "RANKED_AT_MOST", 2)
    cache.clear()
    assert found(client, "labour") == alphabetical


def test_unpublished_text_never_matches(client, chile, staff, settings):
    workflow.apply(workflow.REVISE, chile.assessment, by=staff, note="Correction.")
    answer = chile.assessment.answers.order_by("pk").first()
    answer.justification = f"{DRAFT_MARKER} embargoedword"
    answer.save()
    assert found(client, DRAFT_MARKER) == []
    ghana = GovernmentFactory(country="GH", slug="gha")
    ghana_validator = factories.official(ghana, role="validator", username="gha-validator")
    later = timezone.now() + datetime.timedelta(days=3)
    embargoed = AssessmentFactory(government=ghana, year=2025)
    factories.answer_all(embargoed, text="Embargoedword appears only here.")
    publish(embargoed, staff=staff, validator=ghana_validator, release_at=later, settings=settings)
    assert PublicationSearch.objects.filter(document__icontains="embargoedword").exists()
    assert found(client, "embargoedword") == []
    assert found(client, "ghana") == []


def test_arabic_is_normalised_for_documents_and_queries(client, chile):
    assert normalise("الهِجْرَة") == "الهجرة"
    assert normalise("أمن إدارة آمنة") == "امن ادارة امنة"
    assert found(client, "الهجرة") == ["Chile 2024"]
    assert found(client, "امن") == ["Chile 2024"]
    assert found(client, "الهِجْرَة", prefix="/ar") != []


def test_documents_hold_values_only_with_sections(chile):
    [doc] = PublicationSearch.objects.filter(publication=chile)
    assert doc.language == "en"
    assert "migof_element" not in doc.document and "{" not in doc.document
    assert "Family reunification rules could be clearer." in doc.document
    anchors = [anchor for _start, anchor in doc.sections]
    assert anchors[:3] == ["", "summary", "introduction"]
    assert "dimension-1" in anchors and any(a.startswith("indicator-") for a in anchors)
    starts = [start for start, _anchor in doc.sections]
    assert starts == sorted(starts)


def test_api_search(client, chile, others):
    def slugs(query):
        response = client.get("/api/v1/publications/", {"search": query})
        assert response.status_code == 200
        return sorted(row["government"] for row in response.json()["results"])

    assert slugs("quokkaville") == ["chl", "deu", "ken"]
    assert slugs("kenya") == ["ken"]
    assert slugs("") == ["chl", "deu", "ken"]
    assert slugs("migof_element") == []
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    parameters = schema["paths"]["/api/v1/publications/"]["get"]["parameters"]
    [search] = [p for p in parameters if p["name"] == "search"]
    assert search["schema"]["type"] == "string" and "phrase" in search["description"]


def test_search_costs_no_more_queries_than_the_plain_list(client, chile, others):
    plain = _count(client, "/profiles/")
    assert _count(client, "/profiles/?q=quokkaville") == plain


def _count(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_selector_ranks_by_relevance_then_name(chile, others):
    rows = public_search.search(selectors.live_rounds(), "labour")
    assert [row.government.slug for row in rows] == ["chl", "deu", "ken"]


def test_an_or_query_highlights_whichever_word_the_profile_holds(client, chile):
    [(link, html)] = snippets(client, "zanzibarian OR quokkaville")
    indicator = chile.marked_codes[0].lower().replace(".", "")
    assert link == f"/profiles/chl/2024/#indicator-{indicator}"
    assert "<mark>quokkaville</mark>" in html.lower()
