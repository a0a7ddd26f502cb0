"""Records only the workflow writes: status history, comments, sign-offs, publications."""

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from profiles.editing.admin.scoping import ReadOnlyAdmin
from profiles.models import ConsultationComment, Publication, SignOff, StatusChange


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "transition", "from_status", "to_status", "by_whom", "at"]
    list_filter = ["transition", "to_status"]
    list_select_related = ["assessment__government", "by"]
    fields = ["assessment", "transition", "from_status", "to_status", "by_whom", "at", "note"]
    readonly_fields = ["by_whom"]

    @admin.display(description=gettext_lazy("by"), ordering="by")
    def by_whom(self, obj):
        return obj.by if obj.by_id else _("system")  # empty `by`: the portal itself


@admin.register(ConsultationComment)
class ConsultationCommentAdmin(ReadOnlyAdmin):
    """Comments are added and resolved on the assessment page (`profiles.workflow.consultation`)."""

    list_display = ["text", "indicator", "assessment", "ministry", "resolution"]
    list_filter = ["resolution"]
    list_select_related = ["indicator", "assessment__government"]
    search_fields = ["text", "ministry"]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "validator_name", "ministry", "signed_at", "content_hash"]
    list_select_related = ["assessment__government"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    government_lookup = "government"
    list_display = ["government", "year", "version", "release_at", "ready_at", "withdrawn_at"]
    list_filter = ["government__level", "is_sample"]
    list_select_related = ["government"]
    search_fields = ["government__name", "government__slug"]
    exclude = ["content"]
