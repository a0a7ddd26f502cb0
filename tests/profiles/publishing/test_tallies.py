"""The answer tallies always equal their definition: the newest live publication's answers.

`profiles.models.tallies` is derived state, so the class of defect is drift: a
count that disagrees with the list beside it on an indicator's page. Each test
drives the real lifecycle (publish, correct, follow up, withdraw, embargo) and
compares every tally with the answers of `latest_per_government`, the one
definition the lists use, and with a full `rebuild`.
"""

import datetime
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from indicators.models import Indicator
from profiles import workflow
from profiles.models import (
    AnswerTally,
    AnswerValue,
    Government,
    NewestPublication,
    Publication,
    PublishedAnswer,
)
from profiles.public import selectors
from profiles.publishing import tallies
from tests import factories
from tests.factories import AssessmentFactory, GovernmentFactory, LocalGovernmentFactory
from tests.profiles.publications import publish

pytestmark = pytest.mark.django_db

Key = tuple[int, str, str, str]


def defined(at=None) -> Counter[Key]:
    """What the tallies must hold: the newest live publications' answers, counted."""
    newest = Publication.objects.latest_per_government(at=at)
    rows = PublishedAnswer.objects.filter(publication__in=newest).values_list(
        "indicator_id",
        "publication__government__country",
        "publication__government__level",
        "value",
    )
    return Counter(rows)


def tallied() -> Counter[Key]:
    rows = AnswerTally.objects.filter(count__gt=0)
    return Counter({(t.indicator_id, str(t.country), t.level, t.value): t.count for t in rows})


def assert_equal_to_definition(at=None):
    assert tallied() == defined(at)
    if at is None:  # the home page reads the clock; a test at a later `at` only moves the records'
        assert_home_counts_equal_to_definition()
    tallies.rebuild(now=at)
    assert tallied() == defined(at)


def assert_home_counts_equal_to_definition():
    """The home page's governments per country and level, from the recorded newest publications."""
    counted = {(c.code, c.national, c.local) for c in selectors.assessed_countries()}
    live = Government.objects.with_live_publication()
    assert counted == {
        (
            country,
            live.filter(country=country, level="national").count(),
            live.filter(country=country, level="local").count(),
        )
        for country in live.values_list("country", flat=True).distinct()
    }


def _publish(government, staff, *, value=AnswerValue.FULLY, year=2024, settings, **kwargs):
    validator = factories.official(
        government, role="validator", username=f"validator-{government.slug}-{year}"
    )
    assessment = AssessmentFactory(government=government, year=year)
    factories.answer_all(assessment, value=value)
    return publish(assessment, staff=staff, validator=validator, settings=settings, **kwargs)


def test_publish_correct_follow_up_and_withdraw_keep_the_tallies_equal_to_the_answers(
    staff, settings
):
    chile, kenya = GovernmentFactory(country="CL"), GovernmentFactory(country="KE")
    nairobi = LocalGovernmentFactory(country="KE", name="Nairobi")
    first = _publish(chile, staff, settings=settings, year=2021)
    _publish(kenya, staff, value=AnswerValue.ABSENT, settings=settings)
    _publish(nairobi, staff, value=AnswerValue.PARTIALLY, settings=settings)
    assert tallied() and tallied() == defined()
    assert_home_counts_equal_to_definition()

    # A follow-up round replaces Chile's 2021 answers with its 2024 ones.
    _publish(chile, staff, value=AnswerValue.ABSENT, settings=settings, year=2024)
    assert tallied() == defined()
    assert not any(key[1] == "CL" and key[3] == AnswerValue.FULLY for key in tallied())

    # A correction (version 2) of Kenya's round: one answer changes.
    assessment = Publication.objects.get(government=kenya).assessment
    validator = assessment.government.memberships.get().user
    workflow.apply(workflow.REVISE, assessment, by=staff, note="Correction.")
    answer = assessment.answers.order_by("pk").first()
    answer.value = AnswerValue.FULLY
    answer.save()
    workflow.bump_revision(assessment)
    publish(assessment, staff=staff, validator=validator, settings=settings)
    assert tallied() == defined()
    assert tallied()[(answer.indicator_id, "KE", "national", AnswerValue.FULLY)] == 1

    # Withdrawing Chile's 2024 round brings its 2021 one back into the counts.
    latest = Publication.objects.filter(government=chile, year=2024).get()
    workflow.apply(workflow.WITHDRAW, latest.assessment, by=staff, note="Data error.")
    assert tallied() == defined()
    assert NewestPublication.objects.get(government=chile).publication == first
    assert_equal_to_definition()


def test_an_embargo_is_counted_once_it_ends_and_the_page_never_disagrees_with_its_list(
    client, staff, settings
):
    chile = GovernmentFactory(country="CL")
    _publish(chile, staff, settings=settings, year=2021)
    release = timezone.now() + datetime.timedelta(hours=1)
    embargoed = _publish(
        chile, staff, value=AnswerValue.ABSENT, settings=settings, year=2024, release_at=release
    )
    assert embargoed.ready_at is not None  # rendered, waiting for its release
    assert tallied() == defined()  # the 2021 round still counts
    assert tallies.is_current()
    later = release + datetime.timedelta(seconds=1)
    assert not tallies.is_current(now=later)

    # The release time comes (both clocks move together: the publication's and the record's).
    past = timezone.now() - datetime.timedelta(seconds=1)
    Publication.objects.filter(pk=embargoed.pk).update(release_at=past)
    NewestPublication.objects.filter(government=chile).update(stale_at=past)
    assert tallied() != defined()  # not counted yet: readers must not use the tallies
    assert_home_counts_equal_to_definition()
    indicator = Indicator.objects.get(pk=next(iter(defined()))[0])
    html = client.get(f"/indicators/{indicator.framework.slug}/{indicator.code}/").content.decode()
    shown = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="number">(\d+)</td>', html))
    # Counted from the answers: the released round, not the 2021 one the tallies still hold.
    assert (shown["Absent"], shown["Fully present"]) == ("1", "0")
    # The reader handed the release to the task (eager here): the tallies caught up.
    assert tallies.is_current() and tallied() == defined()
    assert_equal_to_definition()


def test_released_counts_only_governments_whose_embargo_ended(staff, settings):
    chile, kenya = GovernmentFactory(country="CL"), GovernmentFactory(country="KE")
    release = timezone.now() + datetime.timedelta(hours=1)
    _publish(chile, staff, settings=settings, release_at=release)
    _publish(kenya, staff, settings=settings, release_at=release + datetime.timedelta(days=1))
    assert tallied() == Counter() == defined()
    later = release + datetime.timedelta(minutes=1)
    assert tallies.released(now=later) == 1
    assert tallied() == defined(at=later) and tallied()
    assert {key[1] for key in tallied()} == {"CL"}
    assert tallies.is_current(now=later)
    assert_equal_to_definition(at=later)


def test_rebuild_tallies_command_repairs_tallies_that_drifted(staff, settings):
    _publish(GovernmentFactory(country="CL"), staff, settings=settings)
    expected = defined()
    AnswerTally.objects.update(count=7)
    NewestPublication.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_tallies", stdout=out)
    assert tallied() == expected
    assert "Newest live publications counted: 1;" in out.getvalue()
