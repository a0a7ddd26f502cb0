"""Open data: per-profile CSV/JSON, the dataset at /data/, codebook types, formula safety."""

import datetime
import io
import json
import time
import zipfile

import openpyxl
import pandas as pd
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from profiles import workflow
from profiles.models import Answer, FileKind, Publication, Source
from profiles.outputs import exports, opendata
from tests import factories

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.fixture(autouse=True)
def _data_rendering_only(settings):
    """Publish with the data renderer only: pages and PDFs are tested elsewhere, and slow."""
    settings.MGI_PUBLICATION_RENDERERS = ["profiles.outputs.exports.render_publication_data"]
    cache.clear()


@pytest.fixture
def publication(government, staff, validator) -> Publication:
    """Chile's live profile, whose texts include spreadsheet formulas and a source."""
    assessment = factories.AssessmentFactory(government=government, year=2023)
    factories.answer_all(assessment, text=FORMULAS[0])
    Answer.objects.filter(assessment=assessment).update(evidence="NA")  # must stay text
    answers = list(Answer.objects.filter(assessment=assessment).order_by("indicator__code"))
    for answer, text in zip(answers, FORMULAS, strict=False):
        answer.justification = text
        answer.save()
    source = Source.objects.create(assessment=assessment, title="-Migration Act 21.325", year=2021)
    answers[0].sources.add(source)
    factories.published(assessment, staff=staff, validator=validator)
    return assessment.publications.get()


def _archive(client, name="mgi-open-data-csv.zip") -> zipfile.ZipFile:
    response = client.get(f"/data/{name}")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_neutralise_prefixes_formula_cells_and_leaves_numbers_and_plain_text():
    frame = pd.DataFrame(
        {
            "text": pd.array([*FORMULAS, "plain", "a-b", ""], dtype="string"),
            "number": pd.array([-1, 2, 3, 4, 5, 6, -7, 8, 9], dtype="Int64"),
        }
    )
    safe = exports.neutralise(frame)
    assert list(safe["text"]) == [*("'" + f for f in FORMULAS), "plain", "a-b", ""]
    assert list(safe["number"]) == [-1, 2, 3, 4, 5, 6, -7, 8, 9]
    assert frame["text"].iloc[0] == FORMULAS[0]  # the input is not changed


def test_profile_csv_and_json_are_stored_at_publication_and_served_with_etag(
    client, publication, django_assert_num_queries
):
    kinds = set(publication.files.values_list("kind", flat=True))
    assert {FileKind.CSV, FileKind.JSON} <= kinds
    url = f"/profiles/chl/{publication.year}/v{publication.version}/data.csv"
    with django_assert_num_queries(1):
        response = client.get(url)
    body = b"".join(response.streaming_content)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "mgi-chl-2023-v1.csv" in response["Content-Disposition"]
    frame = pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)
    assert list(frame.columns) == [c.name for c in exports.COLUMNS["answers"]]
    assert len(frame) == publication.answers.count()
    assert set(frame["justification"]) >= {"'" + f for f in FORMULAS}
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in frame.to_numpy().ravel())
    assert "'-Migration Act 21.325" in set(frame["source_titles"])
    assert set(frame["evidence"]) == {"NA"}

    cached = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert cached.status_code == 304 and cached["ETag"] == response["ETag"]
    assert cached["Cache-Control"] == "public, max-age=31536000, s-maxage=60, immutable"

    served = client.get(url.replace(".csv", ".json"))
    assert served["Content-Type"] == "application/json"
    document = json.loads(b"".join(served.streaming_content))
    assert document["publication"]["content_hash"] == publication.content_hash
    assert document["licence"] == "CC BY 4.0"
    assert {a["justification"] for a in document["answers"]} >= set(FORMULAS)  # JSON unescaped
    assert document["sources"][0]["title"] == "-Migration Act 21.325"


def test_dataset_csv_round_trips_through_pandas_with_the_codebook_types(client, publication):
    archive = _archive(client)
    names = set(archive.namelist())
    assert names >= {
        "answers.csv",
        "findings.csv",
        "context_figures.csv",
        "publications.csv",
        "codebook.csv",
        "codebook.md",
        "answer_values.csv",
        "frameworks.csv",
        "equivalences.csv",
        "LICENCE",
    }
    codebook = pd.read_csv(archive.open("codebook.csv"), dtype=str, keep_default_na=False)
    expected = exports.build_dataset(Publication.objects.latest_per_government())
    for table, frame in expected.tables.items():
        columns = codebook[codebook["file"] == table]
        dtypes = dict(zip(columns["column"], columns["pandas_dtype"], strict=True))
        numbers = [c for c, t in dtypes.items() if t in {"Int64", "Float64", "boolean"}]
        read = pd.read_csv(
            archive.open(f"{table}.csv"),
            dtype=dtypes,
            keep_default_na=False,
            na_values={column: [""] for column in numbers},
        )
        assert list(read.columns) == list(columns["column"])
        pd.testing.assert_frame_equal(read, exports.neutralise(frame))
    answers = pd.read_csv(archive.open("answers.csv"), dtype=str, keep_default_na=False)
    assert set(answers["government_slug"]) == {"chl"}
    assert set(answers["country_iso3"]) == {"CHL"}


def test_codebook_lists_every_column_answer_value_framework_and_equivalence(client, publication):
    archive = _archive(client)
    codebook = pd.read_csv(archive.open("codebook.csv"), dtype=str, keep_default_na=False)
    for table, columns in exports.COLUMNS.items():
        listed = codebook[codebook["file"] == table]
        assert list(listed["column"]) == [c.name for c in columns]
        assert all(listed["description"] != "") and all(listed["type"] != "")
    values = pd.read_csv(archive.open("answer_values.csv"), dtype=str, keep_default_na=False)
    assert set(values["answer"]) == {
        "fully_present",
        "partially_present",
        "absent",
        "not_applicable",
        "",
    }
    frameworks = pd.read_csv(archive.open("frameworks.csv"), dtype=str, keep_default_na=False)
    assert {"mgi-national-2016", "mgi-national-2022", "mgi-local-2019"} <= set(
        frameworks["framework_slug"]
    )
    equivalences = pd.read_csv(archive.open("equivalences.csv"), dtype=str)
    assert (equivalences["equivalent_framework_slug"] == "mgi-national-2016").any()
    markdown = archive.read("codebook.md").decode()
    assert "| justification | string |" in markdown and "apostrophe" in markdown
    assert "CC BY 4.0" in archive.read("LICENCE").decode()


def test_xlsx_has_a_sheet_per_table_and_no_formula_cells(client, publication, settings):
    response = client.get("/data/mgi-open-data.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert {"about", "answers", "findings", "context_figures", "codebook", "answer_values"} <= set(
        workbook.sheetnames
    )
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [c for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert "'" + FORMULAS[0] in texts and FORMULAS[0] not in texts
    assert settings.MGI_CONTENT_LICENCE in texts


def test_dataset_is_rebuilt_on_withdrawal_and_by_the_command(client, publication, staff):
    assert "chl" in _archive(client).read("answers.csv").decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        workflow.apply(workflow.WITHDRAW, publication.assessment, by=staff, note="Mistake")
    assert opendata.read_manifest()["counts"]["publications"] == 0
    answers = pd.read_csv(_archive(client).open("answers.csv"))
    assert answers.empty and "government_slug" in answers.columns

    out = io.StringIO()
    call_command("build_opendata", stdout=out)
    assert "0 latest publications" in out.getvalue()


def test_dataset_picks_up_an_embargoed_profile_once_it_is_released(
    client, government, staff, validator
):
    assessment = factories.AssessmentFactory(government=government, year=2024)
    release = timezone.now() + datetime.timedelta(seconds=2)
    factories.published(assessment, staff=staff, validator=validator, release_at=release)
    manifest = opendata.read_manifest()
    assert manifest["counts"]["publications"] == 0 and manifest["valid_until"]
    time.sleep(max(0.0, (release - timezone.now()).total_seconds()) + 0.1)
    assert "chl" in _archive(client).read("answers.csv").decode()
    assert opendata.read_manifest()["valid_until"] is None


def test_latest_file_has_one_version_per_government_and_all_versions_file_has_every_one(
    client, publication, staff, validator
):
    assessment = publication.assessment
    workflow.apply(workflow.REVISE, assessment, by=staff, note="Typo")
    factories.published(assessment, staff=staff, validator=validator)
    latest = pd.read_csv(_archive(client).open("publications.csv"))
    every = pd.read_csv(
        _archive(client, "mgi-open-data-all-versions-csv.zip").open("publications.csv")
    )
    assert list(latest["version"]) == [2]
    assert sorted(every["version"]) == [1, 2]


def test_data_page_lists_downloads_codebook_and_licence(client, publication):
    response = client.get("/data/")
    html = response.content.decode()
    assert response.status_code == 200
    for name in (
        "mgi-open-data-csv.zip",
        "mgi-open-data.xlsx",
        "mgi-open-data-all-versions-csv.zip",
    ):
        assert f'href="/data/{name}"' in html
    assert "CC BY 4.0" in html and "fully_present" in html and "justification" in html
    assert client.get("/fr/data/").status_code == 200
    assert client.get("/data/secret.txt").status_code == 404


def test_json_and_csv_of_one_publication_agree(publication):
    csv = pd.read_csv(
        io.BytesIO(exports.publication_csv(publication)), dtype=str, keep_default_na=False
    )
    document = json.loads(exports.publication_json(publication))
    assert len(csv) == len(document["answers"])
    assert list(csv["indicator_code"]) == [a["indicator_code"] for a in document["answers"]]
