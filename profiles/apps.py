from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    """Governments, assessments, the validation workflow and publications."""

    name = "profiles"
    verbose_name = _("Governments and profiles")

    def ready(self) -> None:
        from profiles import roles

        post_migrate.connect(roles.ensure_groups, sender=self)
