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
        # Validated content quoting changed framework text goes back to the validator.
        framework_changed.connect(
            workflow.send_back_after_framework_change, dispatch_uid="profiles.revalidate"
        )
