"""Load invented sample governments and assessments (clearly marked as sample data)."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from profiles import sample_data
from profiles.management.statistics import analyze


class Command(BaseCommand):
    help = (
        "Create sample national and local governments with assessments in every "
        "workflow state, some published, some with two rounds. Every one is marked "
        "as sample data. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2016, help="Random seed (default 2016).")
        parser.add_argument(
            "--only",
            nargs="*",
            default=None,
            metavar="SLUG",
            help="Load only these governments (e.g. chl accra-gha).",
        )

    def handle(self, *args, seed: int, only: list[str] | None, **options):
        try:
            # The workflow emails the sample officials; their addresses are fake, so the
            # messages stay in memory instead of filling the console.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                made = sample_data.load(
                    seed=seed, only=set(only) if only else None, log=self.stdout.write
                )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        analyze(*apps.get_app_config("profiles").get_models())
        self.stdout.write(self.style.SUCCESS(f"{len(made)} sample assessment(s) created."))
