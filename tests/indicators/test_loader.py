"""The framework loader: shipped data, idempotence, retirement, and whole-file rejection."""

import shutil

import pytest
from django.core.management import CommandError, call_command

from indicators import loader
from indicators.models import Area, Dimension, Framework, GCMObjective, Indicator, SDGDomain
from profiles.models import Answer
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(tmp_path):
    """A writable copy of the shipped framework files."""
    target = tmp_path / "data"
    shutil.copytree(loader.DATA_DIR, target)
    return target


def snapshot():
    """Everything the loader writes, to prove a rejected file changed nothing."""
    return (
        list(Framework.objects.values_list("slug", "status", "previous_id", "updated_at")),
        list(Dimension.objects.values_list("framework_id", "code", "short_name")),
        list(Area.objects.values_list("code", "name")),
        list(Indicator.objects.values_list("code", "question", "retired_at", "equivalent_id")),
        GCMObjective.objects.count(),
        SDGDomain.objects.count(),
    )


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_national_framework_has_six_dimensions_and_ninety_plus_indicators():
    national = Framework.objects.get(slug="mgi-national-2022")
    assert national.level == "national"
    assert list(national.dimensions.values_list("code", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert national.indicators.current().count() >= 90
    assert "not IOM's official" in national.wording_note or "reconstructed" in national.wording_note


def test_local_framework_has_its_own_indicators():
    local = Framework.objects.get(slug="mgi-local-2019")
    assert local.level == "local"
    assert local.indicators.count() >= 30
    assert not local.indicators.filter(code__startswith="MGI-").exists()


def test_indicators_map_to_gcm_objectives_sdg_domains_and_earlier_versions():
    assert GCMObjective.objects.count() == 23
    assert SDGDomain.objects.count() == 6
    national = Framework.objects.get(slug="mgi-national-2022")
    assert national.previous.slug == "mgi-national-2016"
    indicator = national.indicators.filter(equivalent__isnull=False).first()
    assert indicator.equivalent.framework == national.previous
    assert not national.indicators.filter(gcm_objectives__isnull=True).exists()
    assert national.indicators.filter(sdg_domains__code=1).exists()


def test_translations_are_loaded_for_dimension_names():
    dimension = Dimension.objects.get(framework__slug="mgi-national-2022", code=1)
    assert dimension.localized("short_name", "en") == "Migrants' rights"
    assert dimension.localized("short_name", "fr") != dimension.short_name


@pytest.mark.parametrize(
    ("language", "paraphrased"), [("fr", "paraphrase"), ("es", "paráfrasis"), ("ar", "إعادة صياغة")]
)
def test_framework_names_and_wording_notes_are_translated(language, paraphrased):
    """Framework names in the reader's language, still saying the list is paraphrased."""
    for framework in Framework.objects.all():
        assert framework.language_of("name", language) == language, framework.slug
        assert framework.localized("name", language) != framework.name
        assert paraphrased in framework.localized("wording_note", language)
    assert Framework.objects.get(slug="mgi-local-2019").language_of("name", "en") == "en"


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_guidance_and_dimension_long_names_of_the_national_2022_framework_are_translated(
    language,
):
    national = Framework.objects.get(slug="mgi-national-2022")
    untranslated = [
        indicator.code
        for indicator in national.indicators.current().exclude(guidance="")
        if indicator.language_of("guidance", language) != language
    ]
    assert untranslated == []
    for dimension in national.dimensions.all():
        assert dimension.language_of("long_name", language) == language
        assert dimension.language_of("migof_element", language) == language


def test_a_changed_translation_in_the_files_is_updated_in_place(data_dir):
    edit(
        data_dir / "frameworks.csv",
        "Indicateurs locaux de gouvernance des migrations",
        "Indicateurs de gouvernance locale des migrations",
    )
    edit(data_dir / "frameworks" / "mgi-national-2022.csv", "Citer la loi sur la nationalité", "X")
    report = loader.sync(data_dir)
    assert report.updated["framework"] == 1
    local = Framework.objects.get(slug="mgi-local-2019")
    assert local.localized("name", "fr") == "Indicateurs de gouvernance locale des migrations"
    changed = Indicator.objects.filter(  # the first in file order, the one edited
        framework__slug="mgi-national-2022", guidance__startswith="Cite the nationality law"
    ).first()
    assert changed.localized("guidance", "fr").startswith("X\u00a0;")  # French spacing kept
    assert changed.localized("guidance", "es").startswith("Citar la ley de nacionalidad")


def test_second_sync_changes_nothing():
    before = snapshot()
    report = loader.sync()
    assert sum(report.created.values()) == 0
    assert sum(report.updated.values()) == 0
    assert sum(report.retired.values()) == 0
    assert report.unchanged["indicator"] == Indicator.objects.count()
    assert snapshot() == before


def test_changed_question_is_updated_in_place(data_dir):
    indicator = Indicator.objects.get(framework__slug="mgi-national-2022", code="MGI-D1.1-01")
    path = data_dir / "frameworks" / "mgi-national-2022.csv"
    edit(path, indicator.question, "A reworded question about health services?")
    report = loader.sync(data_dir)
    assert report.updated["indicator"] == 1
    indicator.refresh_from_db()
    assert indicator.question == "A reworded question about health services?"


def test_indicator_removed_from_file_is_retired_and_old_answers_survive(data_dir):
    indicator = Indicator.objects.get(framework__slug="mgi-national-2022", code="MGI-D1.1-01")
    assessment = AssessmentFactory()
    Answer.objects.create(assessment=assessment, indicator=indicator, value="absent")
    path = data_dir / "frameworks" / "mgi-national-2022.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(
        "".join(line for line in lines if ",MGI-D1.1-01," not in line), encoding="utf-8"
    )

    report = loader.sync(data_dir)

    assert report.retired["indicator"] == 1
    indicator.refresh_from_db()
    assert indicator.retired_at is not None
    assert Answer.objects.get(indicator=indicator).value == "absent"
    assert not Indicator.objects.current().filter(pk=indicator.pk).exists()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: edit(
                d / "frameworks" / "mgi-national-2022.csv", ",MGI-D1.1-02,", ",MGI-D1.1-01,"
            ),
            "duplicate code 'MGI-D1.1-01'",
        ),
        (
            lambda d: edit(d / "frameworks" / "mgi-national-2022.csv", "\n6,", "\n9,"),
            "unknown dimension '9'",
        ),
        (
            lambda d: edit(d / "frameworks" / "mgi-national-2022.csv", "guidance,", "advice,"),
            "missing column(s): guidance",
        ),
        (
            lambda d: edit(d / "frameworks.csv", ",national,", ",regional,"),
            "unknown level 'regional'",
        ),
        (lambda d: edit(d / "gcm_objectives.csv", "\n23,", "\n24,"), "needs a number 1-23"),
    ],
    ids=[
        "duplicate-code",
        "unknown-dimension",
        "missing-column",
        "unknown-level",
        "gcm-out-of-range",
    ],
)
def test_malformed_file_is_rejected_whole_with_line_numbers(data_dir, mutate, message):
    # A valid change earlier in the same file must not be applied either.
    first = Indicator.objects.get(framework__slug="mgi-national-2022", code="MGI-D1.1-01")
    edit(data_dir / "frameworks" / "mgi-national-2022.csv", first.question, "Changed?")
    mutate(data_dir)
    before = snapshot()

    with pytest.raises(loader.FrameworkFileError) as error:
        loader.sync(data_dir)

    assert any(message in line for line in error.value.errors), error.value.errors
    assert all(":" in line for line in error.value.errors)
    assert snapshot() == before


def test_equivalent_code_must_exist_in_previous_version(data_dir):
    path = data_dir / "frameworks" / "mgi-national-2022.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    assert header[-1] == "equivalent_code"
    text[1] = text[1].rsplit(",", 1)[0] + ",NO-SUCH-CODE"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(loader.FrameworkFileError) as error:
        loader.sync(data_dir)
    assert "mgi-national-2022.csv:2: equivalent_code 'NO-SUCH-CODE'" in error.value.errors[0]


def test_command_reports_counts_and_rejects_bad_files(data_dir, capsys):
    call_command("sync_framework")
    out = capsys.readouterr().out
    assert "indicators: 0 created, 0 updated" in out
    (data_dir / "dimensions.csv").write_text("level,code\nnational,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"dimensions\.csv:1: missing column"):
        call_command("sync_framework", data_dir=data_dir)


def test_dry_run_rolls_back(data_dir):
    indicator = Indicator.objects.get(framework__slug="mgi-national-2022", code="MGI-D1.1-01")
    edit(data_dir / "frameworks" / "mgi-national-2022.csv", indicator.question, "Dry?")
    report = loader.sync(data_dir, dry_run=True)
    assert report.updated["indicator"] == 1
    indicator.refresh_from_db()
    assert indicator.question != "Dry?"
