"""Create a local administrator for trying the portal (`make run` only)."""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create the superuser 'admin' for local demonstration if it does not exist. The "
        "password comes from MGI_DEMO_PASSWORD or is generated and printed once. Refuses "
        "to run with DEBUG off unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off.")

    def handle(self, *args, force: bool, **options):
        if (
            not settings.DEBUG
            and not force
            and "sqlite" not in settings.DATABASES["default"]["ENGINE"]
        ):
            raise CommandError("Refusing to create a demo administrator on a production database.")
        User = get_user_model()
        if User.objects.filter(username="admin").exists():
            self.stdout.write("Demo administrator 'admin' already exists.")
            return
        password = os.environ.get("MGI_DEMO_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", "admin@localhost", password)
        self.stdout.write(
            self.style.SUCCESS(f"Demo administrator created: user 'admin', password '{password}'.")
        )
