"""`manage.py rebuild_tallies`: count the answer tallies of indicator pages again, from nothing.

Publishing keeps them up to date one government at a time
(`profiles.publishing.tallies`); this counts every government's newest live
publication again, after a bulk load that bypassed publishing, or to repair them.
"""

from django.core.management.base import BaseCommand

from profiles.models import AnswerTally, NewestPublication
from profiles.publishing import tallies


class Command(BaseCommand):
    help = (
        "Count the answer tallies that indicator pages show (each government's newest live "
        "publication's answers, per country and level) again."
    )

    def handle(self, *args, **options) -> None:
        tallies.rebuild()
        counted = NewestPublication.objects.filter(publication__isnull=False).count()
        self.stdout.write(
            f"Answer tallies rebuilt. Newest live publications counted: {counted}; "
            f"tallies: {AnswerTally.objects.count()}."
        )
