"""`manage.py rerender`: stored outputs follow a template change; what was cited does not."""

import pytest
from django.core.management import CommandError, call_command

from profiles.models import FileKind, PublicationFile
from tests import factories
from tests.factories import AssessmentFactory, GovernmentFactory
from tests.profiles.publications import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_governments(government, staff, validator, settings):
    """Chile and Ghana, each with a published profile (page bodies and data files)."""
    chile = publish(
        AssessmentFactory(government=government),
        staff=staff,
        validator=validator,
        settings=settings,
    )
    settings.MGI_PUBLICATION_RENDERERS = [
        "profiles.outputs.exports.render_publication_data",
        "profiles.outputs.pages.render_profile_pages",
    ]
    ghana = GovernmentFactory(country="GH")
    ghana_validator = factories.official(ghana, role="validator", username="gh-validator")
    ghana_pub = publish(AssessmentFactory(government=ghana), staff=staff, validator=ghana_validator)
    return chile, ghana_pub


def body(publication, language="en") -> str:
    row = PublicationFile.objects.get(
        publication=publication, kind=FileKind.HTML, language=language
    )
    with row.file.open("rb") as handle:
        return handle.read().decode()


def changed_body_template(settings, tmp_path):
    """Put a changed profile body template in front of the shipped one, as a deploy would."""
    folder = tmp_path / "templates" / "profiles"
    folder.mkdir(parents=True)
    (folder / "_profile_body.html").write_text("<p>NEW TEMPLATE</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]


def test_rerender_pages_follows_the_template_and_keeps_hash_and_permalink(
    two_governments, settings, tmp_path, client, capsys
):
    chile, ghana = two_governments
    before = {
        "hash": chile.content_hash,
        "url": chile.get_absolute_url(),
        "rows": set(PublicationFile.objects.values_list("pk", "file", "sha256")),
    }
    assert "NEW TEMPLATE" not in body(chile)
    changed_body_template(settings, tmp_path)

    call_command("rerender", "--pages", government="chl")

    assert "rendered for 1 publication(s)" in capsys.readouterr().out
    for language in ("en", "fr", "es", "ar"):
        assert "NEW TEMPLATE" in body(chile, language)
    assert "NEW TEMPLATE" not in body(ghana)  # --government limits it
    chile.refresh_from_db()
    assert chile.content_hash == before["hash"]
    assert chile.get_absolute_url() == before["url"]
    after = set(PublicationFile.objects.values_list("pk", "file", "sha256"))
    # Only Chile's four page bodies changed: same rows and file names, new bytes.
    changed = before["rows"] - after
    assert len(changed) == 4
    assert {(pk, name) for pk, name, _sha in changed} == {
        (pk, name) for pk, name, _sha in after - before["rows"]
    }
    assert {pk for pk, _name, _sha in changed} == set(
        PublicationFile.objects.filter(publication=chile, kind=FileKind.HTML).values_list(
            "pk", flat=True
        )
    )
    # Visitors get the new body (the page cache is invalidated).
    assert "NEW TEMPLATE" in client.get("/profiles/chl/").content.decode()


def test_a_browser_holding_the_page_gets_the_rerendered_body_not_a_304(
    two_governments, settings, tmp_path, client, django_capture_on_commit_callbacks
):
    """The page's ETag follows the stored body, which rerender replaces in place."""
    for url in ("/profiles/chl/", "/fr/profiles/chl/", "/profiles/chl/2024/v1/"):
        assert client.get(url, HTTP_IF_NONE_MATCH=client.get(url)["ETag"]).status_code == 304
    held = {url: client.get(url)["ETag"] for url in ("/profiles/chl/", "/fr/profiles/chl/")}
    changed_body_template(settings, tmp_path)

    with django_capture_on_commit_callbacks(execute=True):  # the command's commit
        call_command("rerender", "--pages", government="chl")

    for url, etag in held.items():
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200, url
        assert "NEW TEMPLATE" in response.content.decode()
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_rerender_of_every_government_renders_data_files_to_the_same_bytes(
    two_governments, settings, tmp_path, capsys
):
    chile, ghana = two_governments
    ghana_data = PublicationFile.objects.filter(publication=ghana, kind=FileKind.CSV)
    data_before = set(ghana_data.values_list("pk", "file", "sha256"))
    settings.MGI_PUBLICATION_RENDERERS = []
    changed_body_template(settings, tmp_path)
    # PDFs take seconds each; tests/profiles/outputs/test_pdf.py re-renders them with --pdfs.
    call_command("rerender", "--pages", "--data")
    assert "data, pages rendered for 2 publication(s)" in capsys.readouterr().out
    assert "NEW TEMPLATE" in body(chile) and "NEW TEMPLATE" in body(ghana)
    # Data files render to the same bytes again, in place.
    assert set(ghana_data.values_list("pk", "file", "sha256")) == data_before
    assert PublicationFile.objects.filter(publication=chile, kind=FileKind.CSV).exists()


def test_rerender_refuses_an_unknown_government():
    with pytest.raises(CommandError):
        call_command("rerender", government="nowhere")
