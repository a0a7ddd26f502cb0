"""Admin for governments, assessments and their parts, and the workflow records."""

from django.contrib import admin
from django.db.models import Count, Q

from profiles.models import (
    Answer,
    Assessment,
    ConsultationComment,
    ContentTranslation,
    ContextFigure,
    Finding,
    FollowUp,
    Government,
    Membership,
    Publication,
    SignOff,
    Source,
    StatusChange,
)


@admin.register(Government)
class GovernmentAdmin(admin.ModelAdmin):
    list_display = ["display_name", "level", "kind", "country", "slug"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "slug", "country"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "government", "role", "ministry"]
    list_filter = ["role"]
    list_select_related = ["user", "government"]
    search_fields = ["user__username", "government__name", "government__slug", "ministry"]
    autocomplete_fields = ["user", "government"]


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["dimension", "kind", "text", "position", "is_good_practice"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Dimension choices are loaded once per form, with their framework.
        if db_field.name == "dimension":
            kwargs["queryset"] = db_field.related_model.objects.select_related("framework")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SourceInline(admin.TabularInline):
    model = Source
    extra = 0
    fields = ["title", "kind", "issuer", "year", "url", "archived_copy"]


class ContextFigureInline(admin.TabularInline):
    model = ContextFigure
    extra = 0
    fields = ["kind", "label", "value", "unit", "year", "source", "source_url", "position"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = [
        "government", "year", "round_number", "framework", "status", "answered", "is_sample",
    ]  # fmt: skip
    list_filter = ["status", "government__level", "framework", "is_sample", "year"]
    list_select_related = ["government", "framework"]
    search_fields = ["government__name", "government__slug", "introduction", "summary"]
    autocomplete_fields = ["government", "framework", "previous"]
    readonly_fields = ["status", "revision"]
    inlines = [FindingInline, SourceInline, ContextFigureInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(answered_count=Count("answers", filter=~Q(answers__value="")))
        )

    @admin.display(description="answered", ordering="answered_count")
    def answered(self, obj):
        return obj.answered_count


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["indicator", "assessment", "value"]
    list_filter = ["value", "assessment__government__level"]
    list_select_related = ["indicator", "assessment__government"]
    search_fields = ["indicator__code", "justification", "assessment__government__slug"]
    autocomplete_fields = ["assessment", "indicator", "sources"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "dimension", "assessment", "is_good_practice"]
    list_filter = ["kind", "is_good_practice", "dimension__code"]
    list_select_related = ["dimension", "assessment__government"]
    search_fields = ["text"]
    autocomplete_fields = ["assessment", "dimension"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "year", "assessment"]
    list_filter = ["kind"]
    list_select_related = ["assessment__government"]
    search_fields = ["title", "issuer"]
    autocomplete_fields = ["assessment"]


@admin.register(ContextFigure)
class ContextFigureAdmin(admin.ModelAdmin):
    list_display = ["kind", "value", "unit", "year", "assessment"]
    list_filter = ["kind"]
    list_select_related = ["assessment__government"]
    search_fields = ["label", "source"]
    autocomplete_fields = ["assessment"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["finding", "progress", "assessment"]
    list_filter = ["progress"]
    list_select_related = ["finding", "assessment__government"]
    autocomplete_fields = ["assessment", "finding"]


@admin.register(ContentTranslation)
class ContentTranslationAdmin(admin.ModelAdmin):
    list_display = ["assessment", "language", "updated_at"]
    list_filter = ["language"]
    list_select_related = ["assessment__government"]
    autocomplete_fields = ["assessment"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the workflow: visible, never editable by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "transition", "from_status", "to_status", "by", "at"]
    list_filter = ["transition", "to_status"]
    list_select_related = ["assessment__government", "by"]


@admin.register(ConsultationComment)
class ConsultationCommentAdmin(admin.ModelAdmin):
    list_display = ["text", "indicator", "assessment", "ministry", "resolution"]
    list_filter = ["resolution"]
    list_select_related = ["indicator", "assessment__government"]
    search_fields = ["text", "ministry"]
    autocomplete_fields = ["assessment", "indicator"]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "validator_name", "ministry", "signed_at", "content_hash"]
    list_select_related = ["assessment__government"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["government", "year", "version", "release_at", "ready_at", "withdrawn_at"]
    list_filter = ["government__level", "is_sample"]
    list_select_related = ["government"]
    search_fields = ["government__name", "government__slug"]
    exclude = ["content"]
