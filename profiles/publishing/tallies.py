"""Keeping the answer tallies (`profiles.models.tallies`) equal to the newest live profiles.

A government's contribution changes only when its newest live publication does:
one became ready (`rendering.render_files`), was withdrawn (`lifecycle.withdraw`),
or its embargo ended. The first two call `government_changed` in the transaction
that makes the change, so no reader sees one without the other. An embargo ends
without an event: each government records when (`stale_at`), readers count from
the answers until `released` has run (`is_current`), and the first reader after
a release hands it to a task (`public.selectors.answer_distribution`).

`government_changed` takes one from the tallies of the answers of the publication
counted so far and adds one for those of the newest live one: an UPDATE and an
`INSERT ... SELECT ... ON CONFLICT` of ~100 rows each, whatever the number of
governments. `rebuild` counts everything again (after a bulk load, or to repair:
`manage.py rebuild_tallies`; migration 0014 did the same when it made the tables).
"""

import datetime

from django.db import connection, transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from profiles.models import (
    AnswerTally,
    Government,
    NewestPublication,
    Publication,
    PublishedAnswer,
)


def government_changed(government_id: int, *, now: datetime.datetime | None = None) -> None:
    """Count the government's newest live publication (as of `now`) instead of the previous one.

    The government's row is locked, so two workers never count one change twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        government = Government.objects.select_for_update().get(pk=government_id)
        counted = NewestPublication.objects.filter(government=government).first()
        newest = (
            Publication.objects.live(at=now)
            .filter(government=government)
            .order_by("-year", "-version")
            .values_list("pk", flat=True)
            .first()
        )
        place = (str(government.country), government.level)
        if counted is None or (counted.publication_id, str(counted.country), counted.level) != (
            newest,
            *place,
        ):
            if counted is not None and counted.publication_id is not None:
                _uncount(counted.publication_id, str(counted.country), counted.level)
            if newest is not None:
                _count(newest, *place)
        NewestPublication.objects.update_or_create(
            government=government,
            defaults={
                "publication_id": newest,
                "country": place[0],
                "level": place[1],
                "stale_at": _next_release(government_id, now),
            },
        )


def released(*, now: datetime.datetime | None = None) -> int:
    """Count the publications whose embargo ended since they were counted.

    Returns how many governments were counted again.
    """
    now = now or timezone.now()
    ended = NewestPublication.objects.filter(stale_at__lte=now).values_list(
        "government_id", flat=True
    )
    governments = list(ended)
    for government_id in governments:
        government_changed(government_id, now=now)
    return len(governments)


def is_current(*, now: datetime.datetime | None = None) -> bool:
    """Whether the tallies count every newest live publication: no embargo ended uncounted."""
    return not NewestPublication.objects.filter(stale_at__lte=now or timezone.now()).exists()


@transaction.atomic
def rebuild(*, now: datetime.datetime | None = None) -> None:
    """Count every government's newest live publication again, from nothing."""
    now = now or timezone.now()
    AnswerTally.objects.all().delete()
    NewestPublication.objects.all().delete()
    newest = dict(
        Publication.objects.latest_per_government(at=now).values_list("government_id", "pk")
    )
    pending = dict(
        Publication.objects.embargoed(at=now)
        .values("government_id")
        .annotate(first=Min("release_at"))
        .values_list("government_id", "first")
    )
    NewestPublication.objects.bulk_create(
        NewestPublication(
            government_id=government_id,
            publication_id=newest.get(government_id),
            country=country,
            level=level,
            stale_at=pending.get(government_id),
        )
        for government_id, country, level in Government.objects.filter(
            pk__in=[*newest, *pending]
        ).values_list("pk", "country", "level")
    )
    counts = (
        PublishedAnswer.objects.filter(publication__in=list(newest.values()))
        .values(
            "indicator_id",
            "value",
            country=F("publication__government__country"),
            level=F("publication__government__level"),
        )
        .annotate(count=Count("pk"))
        .order_by()
    )
    AnswerTally.objects.bulk_create((AnswerTally(**row) for row in counts), batch_size=2000)


def _next_release(government_id: int, now: datetime.datetime) -> datetime.datetime | None:
    """When the government's next embargoed, rendered publication becomes public, if any."""
    embargoed = Publication.objects.embargoed(at=now).filter(government_id=government_id)
    return embargoed.aggregate(first=Min("release_at"))["first"]


def _count(publication_id: int, country: str, level: str) -> None:
    """Add one to each tally of the publication's answers (one per indicator), in key order.

    In key order, so two transactions adding to one country's rows never wait on each
    other in a cycle.
    """
    tally, answers = AnswerTally._meta.db_table, PublishedAnswer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {tally} (indicator_id, country, level, value, count)"  # noqa: S608 -- table names
            f" SELECT a.indicator_id, %s, %s, a.value, 1 FROM {answers} a"
            f" WHERE a.publication_id = %s ORDER BY a.indicator_id, a.value"
            f" ON CONFLICT (indicator_id, country, level, value)"
            f" DO UPDATE SET count = {tally}.count + 1",
            [country, level, publication_id],
        )


def _uncount(publication_id: int, country: str, level: str) -> None:
    """Take one from each tally of the publication's answers.

    An UPDATE, not an INSERT of -1: the database checks a row's `count >= 0` before
    it looks for the conflicting row, so a negative insert fails even where the sum
    would not.
    """
    tally, answers = AnswerTally._meta.db_table, PublishedAnswer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {tally} SET count = count - 1"  # noqa: S608 -- table names
            f" WHERE country = %s AND level = %s AND (indicator_id, value) IN"
            f" (SELECT a.indicator_id, a.value FROM {answers} a WHERE a.publication_id = %s)",
            [country, level, publication_id],
        )
