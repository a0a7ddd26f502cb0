"""The admin's base classes: every queryset and choice list scoped, every content save locked.

Two rules hold on every admin path (lists, forms, delete, history, autocomplete,
raw-id popups, custom views), and both are `profiles.access`'s answers:

- Isolation: `ScopedAdmin.scope` is `access.scope`: a government official sees only
  the objects of the governments they hold a Membership for; IOM staff and
  superusers every government; administrators every government and membership
  (assigning roles is their job) but no assessment content.
- Locking: content changes only while `access.can_edit` says so (draft or
  returned, by staff or a focal point of that government), for everyone, staff
  included. Every content save goes through `answers.editing`, which checks it
  under a row lock and bumps the revision, so a save made from a stale page is
  refused instead of overwriting someone else's work.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from profiles import access
from profiles.editing import answers
from profiles.models import Assessment


def can_edit(request: HttpRequest, assessment: Assessment) -> bool:
    """`access.can_edit`, remembered for the request (the admin asks it many times a page)."""
    return access.for_request(request).can_edit(assessment)


def sees_all(request: HttpRequest) -> bool:
    """`access.sees_all`, remembered for the request."""
    return access.for_request(request).sees_all()


def editable_assessments(request: HttpRequest) -> QuerySet[Assessment]:
    """Assessments whose content `request.user` may change now."""
    return access.editable_assessments(request.user).select_related("government")


def _scoped(model: type[Model], request: HttpRequest) -> QuerySet | None:
    """The objects of `model` that `request.user` may see, or None if not scoped here."""
    try:
        model_admin = admin.site.get_model_admin(model)
    except admin.exceptions.NotRegistered:
        return None
    if isinstance(model_admin, ScopedAdmin):
        return model_admin.scope(request, model._default_manager.all())
    return None


def autocomplete_target(request) -> str:
    """The `model.field` whose choices an admin autocomplete request searches, or ""."""
    match = request.resolver_match
    if match is None or match.url_name != "autocomplete":
        return ""
    return f"{request.GET.get('model_name', '')}.{request.GET.get('field_name', '')}"


def error_text(error: Exception) -> str:
    """A user-facing sentence for a refused workflow step."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do that.")


class ScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every queryset and choice list is limited to the user's governments."""

    #: Lookup from this model to its Government ("" for Government itself).
    government_lookup = "assessment__government"
    #: Users with this permission see every government here too (role management).
    sees_all_permission = ""

    def scope(self, request, queryset):
        """Limit `queryset` to what the user may see (`access.scope`)."""
        return access.scope(
            queryset, request.user, via=self.government_lookup, also_if=self.sees_all_permission
        )

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            scoped = _scoped(db_field.related_model, request)
            if scoped is not None:
                kwargs["queryset"] = scoped
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            scoped = _scoped(db_field.related_model, request)
            if scoped is not None:
                kwargs["queryset"] = scoped
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_actions(self, request):
        # Bulk delete skips the per-object lock; deleting goes through one object's page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyAdmin(ScopedAdmin):
    """Records written only by the workflow: visible to those concerned, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContentAdmin(ScopedAdmin):
    """A part of an assessment's content, editable only while `access.can_edit` allows."""

    def get_queryset(self, request):
        # The changelist skips list_select_related when the queryset already selects
        # related rows, so name them all here.
        related = ["assessment__government", *(self.list_select_related or [])]
        return super().get_queryset(request).select_related(*related)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit(request, obj.assessment))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit(request, obj.assessment))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assessment":
            kwargs["queryset"] = editable_assessments(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # A part stays with the assessment it was made for: moving it would carry its
        # links (an answer's sources, progress on a finding) into another assessment.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "assessment"] if obj is not None else fields

    def get_form(self, request, obj=None, **kwargs):
        request._mgi_object = obj  # for choices that depend on the part's assessment
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        with answers.editing(obj.assessment_id, by=request.user):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with answers.editing(obj.assessment_id, by=request.user):
            super().delete_model(request, obj)
