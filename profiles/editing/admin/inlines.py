"""The assessment page's inlines: findings, sources, context figures, progress records."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from indicators.models import Dimension
from profiles.editing.admin.scoping import can_edit, sees_all
from profiles.models import Assessment, ContextFigure, Finding, FindingKind, FollowUp, Source


class ContentInline(admin.TabularInline):
    """An inline part of the assessment page, locked with the assessment."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return (
            super().has_add_permission(request, obj) and obj is not None and can_edit(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        return (
            super().has_change_permission(request, obj)
            and obj is not None
            and can_edit(request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return (
            super().has_delete_permission(request, obj)
            and obj is not None
            and can_edit(request, obj)
        )

    def get_formset(self, request, obj=None, **kwargs):
        request._mgi_parent = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            # Evaluate the choices once for the formset, not once per row.
            field.choices = list(iter(field.choices))  # iter(): no COUNT query first
        return field


class FindingInline(ContentInline):
    model = Finding
    fields = ["dimension", "kind", "text", "position", "is_good_practice"]

    def get_readonly_fields(self, request, obj=None):
        # Marking good practices is IOM staff's call, for the compilation across governments.
        return [] if sees_all(request) else ["is_good_practice"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "dimension":
            parent = getattr(request, "_mgi_parent", None)
            kwargs["queryset"] = Dimension.objects.filter(
                framework_id=parent.framework_id if parent else None
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SourceInline(ContentInline):
    model = Source
    fields = ["title", "kind", "issuer", "year", "url", "archived_copy"]


class ContextFigureInline(ContentInline):
    model = ContextFigure
    fields = ["kind", "label", "value", "unit", "year", "source", "source_url", "position"]


class FollowUpInline(ContentInline):
    model = FollowUp
    fields = ["finding", "progress", "note"]
    verbose_name_plural = gettext_lazy("Progress on the previous round's areas for development")

    def get_extra(self, request, obj=None, **kwargs):
        return len(pending_follow_ups(request, obj)) if can_edit(request, obj) else 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "finding":
            parent = getattr(request, "_mgi_parent", None)
            kwargs["queryset"] = followable_findings(
                parent.previous_id if parent else None
            ).select_related("dimension")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def followable_findings(previous_id: int | None):
    """The findings a round may record progress on: its previous round's areas for development.

    The choices offered by the inline and the progress page; `FollowUp.clean` is the rule.
    """
    return Finding.objects.filter(assessment_id=previous_id, kind=FindingKind.POTENTIAL)


def pending_follow_ups(request, assessment: Assessment) -> list[Finding]:
    """The previous round's areas for development that have no progress record yet."""
    cache = request.__dict__.setdefault("_mgi_pending", {})
    if assessment.pk not in cache:
        cache[assessment.pk] = list(
            followable_findings(assessment.previous_id)
            .exclude(follow_ups__assessment=assessment)
            .order_by("dimension__code", "position", "pk")
            .only("pk")
        )
    return cache[assessment.pk]
