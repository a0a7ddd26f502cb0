"""Re-render the stored outputs of live publications, e.g. after a template change.

A publication's page bodies, PDFs and data files are rendered once, when it is
made, and served as stored files. When a template, the stylesheet or an export
changes, this command renders them again from the same frozen content, through
the same renderers publishing uses. The publications themselves are not touched:
their content hashes, versions and permalinks stay what was validated and cited.
"""

import sys
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from profiles.models import Government, Publication
from profiles.outputs import exports, pages, pdf
from profiles.publishing import generation

#: What each flag re-renders, in the order publishing renders them.
OUTPUTS: dict[str, Callable[[Publication], object]] = {
    "data": exports.render_publication_data,
    "pages": pages.render_profile_pages,
    "pdfs": pdf.store_pdfs,
}


class Command(BaseCommand):
    help = (
        "Re-render the stored page bodies, PDFs and data files of rendered, not withdrawn "
        "publications (all three unless --pages, --pdfs or --data narrow it), for all "
        "governments or one. Content hashes and permalinks do not change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pages", action="store_true", help="The HTML page bodies.")
        parser.add_argument("--pdfs", action="store_true", help="The PDFs (every UI language).")
        parser.add_argument("--data", action="store_true", help="The CSV and JSON files.")
        parser.add_argument(
            "--government", metavar="SLUG", help="Only this government (e.g. chl, accra-gha)."
        )

    def handle(self, *args, government: str | None, **options):
        chosen = [name for name in OUTPUTS if options[name]] or list(OUTPUTS)
        publications = (
            Publication.objects.filter(ready_at__isnull=False, withdrawn_at__isnull=True)
            .select_related("government", "framework", "sign_off")
            .order_by("government__slug", "year", "version")
        )
        if government:
            if not Government.objects.filter(slug=government).exists():
                raise CommandError(f"No government with slug {government!r}.")
            publications = publications.filter(government__slug=government)
        publications = list(publications)
        progress = tqdm(
            publications,
            unit="publication",
            desc="Rendering " + ", ".join(chosen),
            file=sys.stderr,  # tqdm redraws with \r; Django's wrapper would add newlines
            disable=not publications,
        )
        for publication in progress:
            progress.set_postfix_str(f"{publication.government.slug} {publication.year}")
            for name in chosen:
                OUTPUTS[name](publication)
        if publications and "pages" in chosen:
            generation.public_content_changed()  # cached pages hold the old bodies
        self.stdout.write(
            self.style.SUCCESS(
                f"{', '.join(chosen)} rendered for {len(publications)} publication(s)."
            )
        )
