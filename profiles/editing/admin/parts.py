"""Parts of assessments on their own pages: answers, findings, sources, figures, progress."""

from django import forms
from django.contrib import admin

from profiles.editing.admin.inlines import followable_findings
from profiles.editing.admin.scoping import (
    ContentAdmin,
    autocomplete_target,
    editable_assessments,
    sees_all,
)
from profiles.editing.forms import AnswerPartForm
from profiles.models import (
    Answer,
    ContentTranslation,
    ContextFigure,
    Finding,
    FindingKind,
    FollowUp,
    Source,
)


@admin.register(Answer)
class AnswerAdmin(ContentAdmin):
    form = AnswerPartForm
    list_display = ["indicator", "assessment", "value"]
    list_filter = ["value", "assessment__government__level"]
    list_select_related = ["indicator", "assessment__government"]
    search_fields = ["indicator__code", "justification", "assessment__government__slug"]
    autocomplete_fields = ["assessment", "indicator", "sources"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        obj = getattr(request, "_mgi_object", None)
        if db_field.name == "sources" and obj is not None:
            # An answer's page: exactly its assessment's sources (AnswerPartForm checks it).
            kwargs["queryset"] = Source.objects.filter(assessment_id=obj.assessment_id)
            kwargs["widget"] = forms.SelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Finding)
class FindingAdmin(ContentAdmin):
    list_display = ["text", "kind", "dimension", "assessment", "is_good_practice"]
    list_filter = ["kind", "is_good_practice", "dimension__code"]
    list_select_related = ["dimension", "assessment__government"]
    search_fields = ["text"]
    autocomplete_fields = ["assessment", "dimension"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if sees_all(request) else [*fields, "is_good_practice"]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if autocomplete_target(request) == "followup.finding":
            # Areas for development of rounds that an editable round follows up.
            queryset = queryset.filter(
                kind=FindingKind.POTENTIAL,
                assessment__follow_up__in=editable_assessments(request),
            )
        return queryset, may_have_duplicates


@admin.register(Source)
class SourceAdmin(ContentAdmin):
    list_display = ["title", "kind", "year", "assessment"]
    list_filter = ["kind"]
    list_select_related = ["assessment__government"]
    search_fields = ["title", "issuer"]
    autocomplete_fields = ["assessment"]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if autocomplete_target(request) == "answer.sources":
            queryset = queryset.filter(assessment__in=editable_assessments(request))
        return queryset, may_have_duplicates


@admin.register(ContextFigure)
class ContextFigureAdmin(ContentAdmin):
    list_display = ["kind", "value", "unit", "year", "assessment"]
    list_filter = ["kind"]
    list_select_related = ["assessment__government"]
    search_fields = ["label", "source"]
    autocomplete_fields = ["assessment"]


@admin.register(FollowUp)
class FollowUpAdmin(ContentAdmin):
    list_display = ["finding", "progress", "assessment"]
    list_filter = ["progress"]
    list_select_related = ["finding", "assessment__government"]
    autocomplete_fields = ["assessment", "finding"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        obj = getattr(request, "_mgi_object", None)
        if db_field.name == "finding" and obj is not None:
            # A progress record's page: the areas for development of its previous round.
            kwargs["queryset"] = followable_findings(obj.assessment.previous_id)
            kwargs["widget"] = forms.Select
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ContentTranslation)
class ContentTranslationAdmin(ContentAdmin):
    """Listed here; edited on the assessment's translation pages.

    Those record, per field, the original text it was translated from.
    """

    list_display = ["assessment", "language", "updated_at"]
    list_filter = ["language"]
    list_select_related = ["assessment__government"]
    readonly_fields = ["source_hashes"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
