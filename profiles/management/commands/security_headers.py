"""Print the security headers as nginx `add_header` lines (mgi_portal/headers.py)."""

from django.core.management.base import BaseCommand

from mgi_portal import headers


class Command(BaseCommand):
    help = (
        "Print the security headers Django sends, as nginx add_header lines, for the "
        "locations nginx answers itself (one definition for both; deploy/README.md)."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(headers.nginx_add_headers(), ending="")
