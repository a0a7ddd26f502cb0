"""The read-only API at /api/v1/: published data only, filters, pagination, schema, limits."""

import datetime
import io
import zipfile

import pytest
import yaml
from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle

from profiles import content as profile_content
from profiles import workflow
from profiles.models import (
    Answer,
    ContentTranslation,
    Finding,
    Publication,
    PublishedAnswer,
    PublishedFinding,
    Source,
)
from tests import factories

pytestmark = pytest.mark.django_db

MARKERS = {
    "draft": "MARKER-DRAFT-7f3a",
    "returned": "MARKER-RETURNED-91bc",
    "embargoed": "MARKER-EMBARGOED-44d0",
    "withdrawn": "MARKER-WITHDRAWN-c2e9",
    "correction": "MARKER-CORRECTION-5b1f",
}


@pytest.fixture(autouse=True)
def _data_rendering_only(settings):
    """Publish with the data renderer only: pages and PDFs are tested elsewhere, and slow."""
    settings.MGI_PUBLICATION_RENDERERS = ["profiles.outputs.exports.render_publication_data"]
    cache.clear()  # throttling counts live in the cache
    yield
    cache.clear()


def _government(country: str, username: str, **kwargs):
    government = factories.GovernmentFactory(country=country, **kwargs)
    return government, factories.official(government, role="validator", username=username)


def _marked(assessment, marker: str) -> None:
    """Put `marker` in every kind of text an export or the API could show."""
    factories.answer_all(assessment, text=f"Justification {marker}")
    Answer.objects.filter(assessment=assessment).update(evidence=f"Evidence {marker}")
    source = Source.objects.create(assessment=assessment, title=f"Act {marker}", year=2020)
    for answer in Answer.objects.filter(assessment=assessment)[:3]:
        answer.sources.add(source)
    Finding.objects.filter(assessment=assessment).update(text=f"Finding {marker}")
    type(assessment).objects.filter(pk=assessment.pk).update(
        introduction=f"Intro {marker}", summary=f"Summary {marker}"
    )


@pytest.fixture
def world(staff, government, validator):
    """One live profile (Chile) and, around it, every state that must never be public."""
    live = factories.AssessmentFactory(government=government, year=2022)
    factories.answer_all(live, text="Published justification.")
    factories.published(live, staff=staff, validator=validator)

    # The live government's correction in progress (a draft of version 2).
    workflow.apply(workflow.REVISE, live, by=staff, note="Fix a typo")
    Answer.objects.filter(assessment=live).update(justification=MARKERS["correction"])

    draft = factories.AssessmentFactory(government=_government("PE", "v-pe")[0])
    _marked(draft, MARKERS["draft"])

    returned_gov, returned_validator = _government("MA", "v-ma")
    returned = factories.AssessmentFactory(government=returned_gov)
    _marked(returned, MARKERS["returned"])
    workflow.apply(workflow.SHARE, returned, by=staff)
    workflow.apply(workflow.SUBMIT, returned, by=staff)
    workflow.apply(workflow.RETURN, returned, by=returned_validator, note="Sources missing")

    embargo_gov, embargo_validator = _government("GH", "v-gh")
    embargoed = factories.AssessmentFactory(government=embargo_gov)
    _marked(embargoed, MARKERS["embargoed"])
    factories.published(
        embargoed,
        staff=staff,
        validator=embargo_validator,
        release_at=timezone.now() + datetime.timedelta(days=30),
    )

    withdrawn_gov, withdrawn_validator = _government("MX", "v-mx")
    withdrawn = factories.AssessmentFactory(government=withdrawn_gov)
    _marked(withdrawn, MARKERS["withdrawn"])
    factories.published(withdrawn, staff=staff, validator=withdrawn_validator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.WITHDRAW, withdrawn, by=staff, note="Published by mistake")

    return {
        "live": live.publications.get(),
        "embargoed": embargoed.publications.get(),
        "withdrawn": withdrawn.publications.get(),
    }


def _body(response) -> bytes:
    """Every byte a client receives, with ZIP and XLSX archives opened."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    return data


def _crawl(client, world) -> dict[str, bytes]:
    """GET every API endpoint, page, schema and download; follow the API's own links."""
    urls = [
        "/api/v1/",
        "/api/v1/governments/",
        "/api/v1/frameworks/",
        "/api/v1/publications/",
        "/api/v1/answers/?page_size=1000",
        "/api/v1/findings/?page_size=1000",
        "/api/v1/gcm-objectives/",
        "/api/v1/sdg-domains/",
        "/api/v1/schema/",
        "/api/v1/docs/",
        "/data/",
    ]
    bodies = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = _body(response)
    for government in client.get("/api/v1/governments/").json()["results"]:
        bodies[government["slug"]] = _body(client.get(f"/api/v1/governments/{government['slug']}/"))
        for publication in government["publications"]:
            for language in ("", "?language=fr"):
                url = publication["url"] + language
                bodies[url] = _body(client.get(url))
    for framework in client.get("/api/v1/frameworks/").json()["results"]:
        bodies[framework["url"]] = _body(client.get(framework["url"]))
    for publication in client.get("/api/v1/publications/").json()["results"]:
        for key in ("csv_url", "json_url"):
            response = client.get(publication[key])
            assert response.status_code == 200
            bodies[publication[key]] = _body(response)
    for name in (
        "mgi-open-data-csv.zip",
        "mgi-open-data.xlsx",
        "mgi-open-data-all-versions-csv.zip",
    ):
        response = client.get(f"/data/{name}")
        assert response.status_code == 200, name
        bodies[name] = _body(response)
    return bodies


def test_no_draft_returned_embargoed_withdrawn_or_correction_text_in_any_response(client, world):
    bodies = _crawl(client, world)
    for url, body in bodies.items():
        for state, marker in MARKERS.items():
            assert marker.encode() not in body, f"{state} content leaked at {url}"
    # The crawl did reach the published profile's texts and files.
    assert b"Published justification." in bodies["mgi-open-data-csv.zip"]
    assert (
        b"Published justification."
        in bodies[f"http://testserver/api/v1/publications/{world['live'].pk}/"]
    )
    assert len(bodies) > 20


def test_unpublished_publications_and_governments_are_404(client, world):
    for key in ("embargoed", "withdrawn"):
        publication = world[key]
        slug = publication.government.slug
        assert client.get(f"/api/v1/publications/{publication.pk}/").status_code == 404
        assert client.get(f"/api/v1/governments/{slug}/").status_code == 404
        base = f"/profiles/{slug}/{publication.year}/v{publication.version}/"
        assert client.get(base + "data.csv").status_code == 404
        assert client.get(base + "data.json").status_code == 404
    slugs = [g["slug"] for g in client.get("/api/v1/governments/").json()["results"]]
    assert slugs == ["chl"]


@pytest.fixture
def three_live(staff):
    """Three live profiles: Chile (national, Americas), Ghana (national, Africa), Accra (local)."""
    made = {}
    for country, name, username, value in (
        ("CL", "", "v-cl", "fully_present"),
        ("GH", "", "v-gh", "absent"),
        ("GH", "Accra", "v-accra", "partially_present"),
    ):
        kwargs = {"level": "local", "kind": "city", "name": name} if name else {}
        government, validator = _government(country, username, **kwargs)
        assessment = factories.AssessmentFactory(government=government, year=2021 if name else 2023)
        factories.answer_all(assessment, value=value)
        factories.published(assessment, staff=staff, validator=validator)
        made[government.slug] = assessment.publications.get()
    return made


def _slugs(response, key="government") -> list[str]:
    assert response.status_code == 200, response.content
    return sorted({row[key] for row in response.json()["results"]})


def test_government_filters_by_level_region_and_country(client, three_live):
    assert _slugs(client.get("/api/v1/governments/?level=local"), "slug") == ["accra-gha"]
    assert _slugs(client.get("/api/v1/governments/?region=002"), "slug") == ["accra-gha", "gha"]
    assert _slugs(client.get("/api/v1/governments/?region=005"), "slug") == ["chl"]
    assert _slugs(client.get("/api/v1/governments/?country=CHL"), "slug") == ["chl"]
    assert client.get("/api/v1/governments/?level=planet").status_code == 400


def test_publication_filters(client, three_live):
    get = client.get
    assert _slugs(get("/api/v1/publications/?level=national")) == ["chl", "gha"]
    assert _slugs(get("/api/v1/publications/?region=002")) == ["accra-gha", "gha"]
    assert _slugs(get("/api/v1/publications/?year=2021")) == ["accra-gha"]
    assert _slugs(get("/api/v1/publications/?round=1")) == ["accra-gha", "chl", "gha"]
    assert _slugs(get("/api/v1/publications/?round=2")) == []
    assert _slugs(get("/api/v1/publications/?answer=absent")) == ["gha"]
    assert _slugs(get("/api/v1/publications/?indicator=MGI-D1.1-01&answer=fully_present")) == [
        "chl"
    ]
    assert _slugs(get("/api/v1/publications/?dimension=6&answer=partially_present")) == [
        "accra-gha"
    ]
    assert _slugs(get("/api/v1/publications/?latest=true&government=chl")) == ["chl"]


def test_answer_filters(client, three_live):
    response = client.get("/api/v1/answers/?indicator=MGI-D1.1-01")
    assert _slugs(response) == ["chl", "gha"]
    rows = response.json()["results"]
    assert {r["answer"] for r in rows} == {"fully_present", "absent"}
    assert rows[0].keys() >= {"indicator_code", "dimension_code", "area_code", "year", "round"}
    by_dimension = client.get("/api/v1/answers/?dimension=2&level=national&page_size=1000").json()
    assert {r["dimension_code"] for r in by_dimension["results"]} == {2}
    assert _slugs(client.get("/api/v1/answers/?answer=partially_present&region=002")) == [
        "accra-gha"
    ]
    assert client.get("/api/v1/answers/?answer=maybe").status_code == 400
    assert _slugs(client.get("/api/v1/answers/?year=2023&round=1&level=local")) == []


def test_finding_filters(client, three_live):
    good = client.get("/api/v1/findings/?good_practice=true").json()["results"]
    assert good and all(row["is_good_practice"] for row in good)
    potential = client.get("/api/v1/findings/?kind=potential&dimension=1&government=gha").json()
    assert [r["kind"] for r in potential["results"]] == ["potential"]


def test_pagination_has_counts_links_and_a_size_limit(client, three_live):
    page = client.get("/api/v1/publications/?page_size=1").json()
    total = page["count"]
    assert len(page["results"]) == 1 and page["previous"] is None
    assert "page=2" in page["next"]
    second = client.get(page["next"]).json()
    assert second["results"][0] != page["results"][0]
    every = []
    url = "/api/v1/publications/?page_size=2"
    while url:
        data = client.get(url).json()
        every += [row["url"] for row in data["results"]]
        url = data["next"]
    assert len(every) == len(set(every)) == total == 3
    assert client.get("/api/v1/publications/?page_size=5000").status_code == 400
    assert client.get("/api/v1/publications/?page=999").status_code == 404


def test_findings_page_by_cursor_through_every_live_finding_once(client, three_live):
    """Like the answers: `next` links walk every live finding once, with no count."""
    total = PublishedFinding.objects.filter(publication__in=Publication.objects.live()).count()
    first = client.get("/api/v1/findings/?page_size=2").json()
    assert first.keys() == {"next", "previous", "results"} and "cursor=" in first["next"]
    every = []
    url = "/api/v1/findings/?page_size=3"
    while url:
        data = client.get(url).json()
        every += [
            (r["publication"], r["dimension_code"], r["kind"], r["text"]) for r in data["results"]
        ]
        url = data["next"]
    assert len(every) == len(set(every)) == total > 3
    second = client.get(first["next"]).json()
    assert client.get(second["previous"]).json()["results"] == first["results"]
    assert client.get("/api/v1/findings/?page_size=5000").status_code == 400


def test_answers_page_by_cursor_through_every_live_answer_once(client, three_live):
    """No count and no page numbers: `next` and `previous` links walk the rows by key."""
    total = PublishedAnswer.objects.filter(publication__in=Publication.objects.live()).count()
    first = client.get("/api/v1/answers/?page_size=7").json()
    assert first.keys() == {"next", "previous", "results"}
    assert len(first["results"]) == 7 and first["previous"] is None and "cursor=" in first["next"]
    every = []
    url = "/api/v1/answers/?page_size=100"
    while url:
        data = client.get(url).json()
        every += [(r["publication"], r["indicator_code"]) for r in data["results"]]
        url = data["next"]
    assert len(every) == len(set(every)) == total > 100
    assert every == sorted(every, key=lambda row: row[0])  # one publication after another
    back, url = [(r["publication"], r["indicator_code"]) for r in data["results"]], data["previous"]
    while url:  # and back again from the last page
        data = client.get(url).json()
        back = [(r["publication"], r["indicator_code"]) for r in data["results"]] + back
        url = data["previous"]
    assert back == every
    second = client.get(first["next"]).json()
    assert client.get(second["previous"]).json()["results"] == first["results"]
    assert client.get("/api/v1/answers/?page_size=5000").status_code == 400
    for cursor in ("not-base64!", "cD1hYmM=", "cj14"):  # p=abc, r=x: not from a link
        assert client.get(f"/api/v1/answers/?cursor={cursor}").status_code == 404, cursor
    assert (
        client.get("/api/v1/answers/?cursor=").json()["results"]
        == client.get("/api/v1/answers/").json()["results"]
    )


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/governments/", 3),  # count, page, live publications of the page
        ("/api/v1/frameworks/", 2),  # count, page with indicator counts
        (
            "/api/v1/frameworks/mgi-national-2022/",
            6,
        ),  # framework, dimensions, areas, indicators, GCM, SDG
        ("/api/v1/publications/", 2),  # count, page
        ("/api/v1/answers/", 1),  # the page: no count
        ("/api/v1/findings/", 1),  # the page: no count
        ("/api/v1/gcm-objectives/", 1),
        ("/data/", 0),  # reads the stored manifest only
    ],
)
def test_query_counts_do_not_grow_with_rows(
    url, queries, client, three_live, django_assert_num_queries
):
    call_command("build_opendata", stdout=io.StringIO())
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_publication_detail_is_one_query_and_has_the_frozen_content(
    client, three_live, django_assert_num_queries
):
    publication = three_live["chl"]
    with django_assert_num_queries(1):
        data = client.get(f"/api/v1/publications/{publication.pk}/").json()
    assert data["content_hash"] == publication.content_hash
    assert data["language"] == "en" and data["fully_translated"] is True
    answers = [a for d in data["dimensions"] for area in d["areas"] for a in area["answers"]]
    assert len(answers) == publication.answers.count()
    assert answers[0]["answer"] == "fully_present" and answers[0]["justification"] == "Because."
    assert data["csv_url"].endswith(f"/profiles/chl/{publication.year}/v1/data.csv")


def test_anonymous_clients_are_throttled(client, three_live, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [client.get("/api/v1/frameworks/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_api_is_read_only(client, three_live):
    for method in (client.post, client.put, client.patch, client.delete):
        assert method("/api/v1/publications/", {}).status_code == 405


def test_cors_only_for_get_and_only_when_configured(client, settings, three_live):
    origin = {"HTTP_ORIGIN": "https://data.example.org"}
    response = client.get("/api/v1/frameworks/", **origin)
    assert "Access-Control-Allow-Origin" not in response

    settings.CORS_ALLOWED_ORIGINS = ["https://data.example.org"]
    response = client.get("/api/v1/frameworks/", **origin)
    assert response["Access-Control-Allow-Origin"] == "https://data.example.org"
    assert "origin" in response["Vary"].lower()
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response
    other = client.get("/api/v1/frameworks/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        "/api/v1/frameworks/", HTTP_ACCESS_CONTROL_REQUEST_METHOD="DELETE", **origin
    )
    # A browser sends only the methods listed: never a write.
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert client.post("/api/v1/frameworks/", **origin).status_code == 405
    assert "Access-Control-Allow-Origin" not in client.get("/data/", **origin)


def test_openapi_schema_validates_and_documents_every_endpoint(tmp_path, client):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    assert schema["openapi"].startswith("3.")
    for endpoint in (
        "/api/v1/governments/",
        "/api/v1/frameworks/{slug}/",
        "/api/v1/publications/",
        "/api/v1/publications/{id}/",
        "/api/v1/answers/",
        "/api/v1/findings/",
    ):
        assert endpoint in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/answers/"]["get"]["parameters"]}
    assert params >= {
        "level",
        "region",
        "year",
        "round",
        "dimension",
        "indicator",
        "answer",
        "cursor",
        "page_size",
    }
    assert client.get("/api/v1/schema/").status_code == 200


def test_docs_page_works_offline(client):
    response = client.get("/api/v1/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in html
    assert 'spec-url="/api/v1/schema/"' in html
    assert "https://" not in html and "http://" not in html.replace("http://testserver", "")


def test_api_answers_conditional_requests_with_304(client, three_live):
    """List and detail answers carry an ETag; the same ETag in If-None-Match gives 304."""
    publication = three_live["chl"]
    for url in ("/api/v1/publications/", f"/api/v1/publications/{publication.pk}/"):
        first = client.get(url)
        assert first.status_code == 200 and first["ETag"]
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b""
        assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_page_size_outside_its_bounds_is_a_400_that_names_it(client, three_live):
    for value in ("0", "-3", "2.5", "1001", "x", ""):
        response = client.get(f"/api/v1/governments/?page_size={value}")
        assert response.status_code == 400, value
        assert "page_size" in response.json()
    assert client.get("/api/v1/governments/?page_size=1").json()["next"]
    assert client.get("/api/v1/governments/?page=99").status_code == 404


def test_filters_are_strict_about_types_and_ignore_empty_values(client, three_live):
    assert client.get("/api/v1/publications/?year=2021.5").status_code == 400
    assert client.get("/api/v1/publications/?region=nowhere").status_code == 400
    assert client.get("/api/v1/publications/?level=").json()["count"] == 3
    assert client.get("/api/v1/publications/?region=019").status_code == 200


def test_publication_language_from_parameter_or_accept_language(client, three_live):
    publication = three_live["chl"]
    url = f"/api/v1/publications/{publication.pk}/"
    assert client.get(f"{url}?language=xx").status_code == 400
    assert client.get(f"{url}?language=").status_code == 400
    original = client.get(url, HTTP_ACCEPT_LANGUAGE="de, fr;q=0.5")
    assert original["Content-Language"] == original.json()["language"] == "en"
    assert "Accept-Language" in original["Vary"]


def test_schema_documents_errors_nullable_fields_and_bounds(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert {"200", "400", "404", "429"} <= set(operation["responses"]), (path, method)
    framework = schema["components"]["schemas"]["Framework"]["properties"]
    assert framework["previous"]["nullable"] is True
    params = {p["name"]: p for p in schema["paths"]["/api/v1/findings/"]["get"]["parameters"]}
    assert params["page_size"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "default": 50,
    }
    assert params["year"]["schema"]["type"] == "integer"
    assert "019" in params["region"]["schema"]["enum"]
    assert params["level"]["allowEmptyValue"] is True
    assert "page" not in params and params["cursor"]["schema"]["type"] == "string"
    numbered = schema["paths"]["/api/v1/publications/"]["get"]["parameters"]
    assert "allowEmptyValue" not in {p["name"]: p for p in numbered}["page"]
    answers = schema["paths"]["/api/v1/answers/"]["get"]
    by_name = {p["name"]: p for p in answers["parameters"]}
    assert by_name["page_size"]["schema"] == params["page_size"]["schema"]
    assert "page" not in by_name and by_name["cursor"]["schema"]["type"] == "string"
    listed = answers["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][listed.rsplit("/", 1)[1]]["properties"]
    assert page.keys() == {"next", "previous", "results"}  # no count: none is made


def test_accept_language_picks_a_validated_translation(client, staff):
    government, validator = _government("MX", "v-mx")
    assessment = factories.AssessmentFactory(government=government, year=2024)
    factories.answer_all(assessment)
    original = profile_content.build(assessment, include_translations=False)
    ContentTranslation.objects.create(
        assessment=assessment,
        language="es",
        texts={"summary": "Resumen en español."},
        source_hashes=profile_content.source_hashes(profile_content.translatable_texts(original)),
    )
    factories.published(assessment, staff=staff, validator=validator)
    url = f"/api/v1/publications/{assessment.publications.get().pk}/"
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="de, es-MX;q=0.8, en;q=0.5")
    assert spanish["Content-Language"] == spanish.json()["language"] == "es"
    assert spanish.json()["summary"] == "Resumen en español."
    assert client.get(f"{url}?language=en", HTTP_ACCEPT_LANGUAGE="es").json()["language"] == "en"


def test_unknown_api_addresses_answer_json_404_and_site_pages_html(client):
    response = client.get("/api/v1/answers/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    page = client.get("/profiles/nowhere/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_yes_no_filters_refuse_other_values(client, three_live):
    assert client.get("/api/v1/findings/?good_practice=maybe").status_code == 400
    assert client.get("/api/v1/findings/?good_practice=-5").status_code == 400
    assert client.get("/api/v1/findings/?good_practice=true").status_code == 200
    assert client.get("/api/v1/findings/?good_practice=").status_code == 200
    assert client.get("/api/v1/publications/?latest=true").status_code == 200


def test_the_data_page_shows_how_to_use_the_api_and_its_rate_limit(client, three_live, settings):
    html = client.get("/data/").content.decode()
    assert "Use the data" in html
    assert "curl -s &#x27;http://testserver/api/v1/publications/" in html or (
        "curl -s 'http://testserver/api/v1/publications/" in html
    )
    assert "pd.read_csv" in html and "fromJSON" in html
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"] == "1000/hour"
    assert "Each address may make 1,000 requests an hour" in html
    assert '<pre lang="en" dir="ltr">' in html


def test_a_parameter_given_twice_or_an_empty_page_is_a_400(client, three_live):
    response = client.get("/api/v1/answers/?page=1&page=2")
    assert response.status_code == 400 and "page" in response.json()
    assert client.get("/api/v1/governments/?level=local&level=national").status_code == 400
    assert client.get("/api/v1/governments/?page=").status_code == 400
    assert client.get("/api/v1/governments/?page=1").status_code == 200
