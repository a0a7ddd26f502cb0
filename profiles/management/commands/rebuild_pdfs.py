"""Re-render stored profile PDFs, e.g. after the PDF template or stylesheet changed."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from profiles.models import Government, Publication
from profiles.outputs import pdf


class Command(BaseCommand):
    help = (
        "Re-render the PDFs (every UI language) of rendered, not withdrawn publications, "
        "for all governments or one. The stored files, sizes and SHA-256 are replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--government", metavar="SLUG", help="Only this government (e.g. chl, accra-gha)."
        )

    def handle(self, *args, government: str | None, **options):
        publications = (
            Publication.objects.filter(ready_at__isnull=False, withdrawn_at__isnull=True)
            .select_related("government", "sign_off")
            .order_by("government__slug", "year", "version")
        )
        if government:
            if not Government.objects.filter(slug=government).exists():
                raise CommandError(f"No government with slug {government!r}.")
            publications = publications.filter(government__slug=government)
        publications = list(publications)
        files = 0
        progress = tqdm(
            publications,
            unit="publication",
            desc="Rendering PDFs",
            file=sys.stderr,  # tqdm redraws with \r; Django's wrapper would add newlines
            disable=not publications,
        )
        for publication in progress:
            progress.set_postfix_str(f"{publication.government.slug} {publication.year}")
            files += len(pdf.store_pdfs(publication))
        self.stdout.write(
            self.style.SUCCESS(f"{files} PDF(s) rendered for {len(publications)} publication(s).")
        )
