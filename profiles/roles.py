"""The groups that carry each role's Django permissions, kept in step after every migrate.

Government roles are per government: the group grants the kind of access, and a
Membership (user, government, role) says for which government. IOM staff act for
every government. `profiles.access` turns these into answers (its docstring has the
role x action table); nothing else reads a permission of these groups.

Validating needs both `profiles.validate_assessment` (held by the officials' group)
and a validator Membership for the government.
"""

from django.contrib.auth.models import Group, Permission

IOM_STAFF = "IOM staff"
GOVERNMENT_OFFICIALS = "Government officials"
ADMINISTRATORS = "Administrators"

_CONTENT = ["answer", "finding", "source", "contextfigure", "followup", "contenttranslation"]

GROUP_PERMISSIONS: dict[str, list[str]] = {
    IOM_STAFF: [
        "profiles.view_all_assessments",
        "profiles.share_assessment",
        "profiles.submit_assessment",
        "profiles.publish_assessment",
        "profiles.withdraw_publication",
        *(f"profiles.{verb}_assessment" for verb in ("add", "change", "view")),
        *(
            f"profiles.{verb}_{model}"
            for verb in ("add", "change", "view", "delete")
            for model in _CONTENT
        ),
        *(f"profiles.{verb}_government" for verb in ("add", "change", "view")),
        *(f"profiles.{verb}_consultationcomment" for verb in ("change", "view")),
        "profiles.view_statuschange",
        "profiles.view_signoff",
        "profiles.view_publication",
        "profiles.view_membership",
        "indicators.view_framework",
        "indicators.view_indicator",
    ],
    GOVERNMENT_OFFICIALS: [
        "profiles.view_assessment",
        "profiles.change_assessment",
        "profiles.validate_assessment",
        *(
            f"profiles.{verb}_{model}"
            for verb in ("add", "change", "view", "delete")
            for model in _CONTENT
        ),
        "profiles.add_consultationcomment",
        "profiles.view_consultationcomment",
        "profiles.view_statuschange",
        "profiles.view_signoff",
    ],
    ADMINISTRATORS: [
        *(
            f"auth.{verb}_{model}"
            for verb in ("add", "change", "view", "delete")
            for model in ("user", "group")
        ),
        *(f"profiles.{verb}_membership" for verb in ("add", "change", "view", "delete")),
        *(
            f"indicators.{verb}_{model}"
            for verb in ("add", "change", "view")
            for model in (
                "framework",
                "dimension",
                "area",
                "indicator",
                "gcmobjective",
                "sdgdomain",
            )
        ),
        "profiles.view_government",
    ],
}


def ensure_groups(**kwargs: object) -> None:
    """Create the role groups and set exactly their permissions (idempotent)."""
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)
