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


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    government_lookup = "government"
    sees_all_permission = MANAGE_MEMBERSHIPS
    list_display = ["user", "government", "role", "ministry"]
    list_filter = ["role"]
    list_select_related = ["user", "government"]
    search_fields = ["user__username", "government__name", "government__slug", "ministry"]
    autocomplete_fields = ["user", "government"]
