from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    """Governments, assessments, the validation workflow and publications."""

    name = "profiles"
    verbose_name = _("Governments and profiles")

    def ready(self) -> None:
        from indicators.signals import framework_changed
        from profiles import roles, workflow
        from profiles.editing import admin  # noqa: F401  (registers the ModelAdmins)

        post_migrate.connect(roles.ensure_groups, sender=self)
        post_migrate.connect(_refresh_sort_names, sender=self)
        # Validated content quoting changed framework text goes back to the validator.
        framework_changed.connect(
            workflow.send_back_after_framework_change, dispatch_uid="profiles.revalidate"
        )


def _refresh_sort_names(*, using: str = "default", **kwargs) -> None:
    """After `migrate`: governments sorted under a country name django-countries renamed."""
    from profiles.models import Government

    Government.objects.using(using).refresh_sort_names()
