"""Governments and who holds a role for them (administrators assign roles for every one)."""

from django.contrib import admin

from profiles.editing.admin.scoping import ScopedAdmin
from profiles.models import Government, Membership

#: Administrators see every government and membership: assigning roles is their job.
MANAGE_MEMBERSHIPS = "profiles.change_membership"


@admin.register(Government)
class GovernmentAdmin(ScopedAdmin):
    government_lookup = ""
    sees_all_permission = MANAGE_MEMBERSHIPS
    list_display = ["display_name", "level", "kind", "country", "slug"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "slug", "country"]

    def get_readonly_fields(self, request, obj=None):
        """Country and level are fixed once the government has a publication.

        Its profiles were signed and frozen under them, and public lists, filters
        and the answer tallies place the profiles by them.
        """
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.publications.exists():
            fields += ["country", "level"]
        return fields


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    government_lookup = "government"
    sees_all_permission = MANAGE_MEMBERSHIPS
    list_display = ["user", "government", "role", "ministry"]
    list_filter = ["role"]
    list_select_related = ["user", "government"]
    search_fields = ["user__username", "government__name", "government__slug", "ministry"]
    autocomplete_fields = ["user", "government"]
