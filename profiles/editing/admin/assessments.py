"""The assessment's admin: the data-entry page, its list, and who may change it.

The change page is the data-entry page: every indicator grouped by dimension and
area (`forms.AnswerSheet`), findings, sources, context figures, narrative,
follow-ups, the workflow buttons, the consultation and the history
(`assessment_pages`), and the spreadsheet round-trip (`spreadsheet`).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy

from profiles import workflow
from profiles.editing import answers
from profiles.editing.admin.assessment_pages import AssessmentPagesMixin
from profiles.editing.admin.inlines import (
    ContextFigureInline,
    FindingInline,
    FollowUpInline,
    SourceInline,
    pending_follow_ups,
)
from profiles.editing.admin.scoping import (
    ScopedAdmin,
    autocomplete_target,
    can_edit,
    error_text,
)
from profiles.editing.admin.spreadsheet import SpreadsheetAdminMixin
from profiles.editing.forms import AssessmentForm
from profiles.models import Assessment


@admin.register(Assessment)
class AssessmentAdmin(AssessmentPagesMixin, SpreadsheetAdminMixin, ScopedAdmin):
    government_lookup = "government"
    form = AssessmentForm
    change_form_template = "admin/profiles/assessment/change_form.html"
    list_display = [
        "government",
        "year",
        "round_number",
        "framework",
        "status",
        "answered",
        "is_sample",
    ]
    list_filter = ["status", "government__level", "framework", "is_sample", "year"]
    list_select_related = ["government", "framework"]
    search_fields = ["government__name", "government__slug", "introduction", "summary"]
    autocomplete_fields = ["government", "framework", "previous"]
    readonly_fields = ["status", "revision"]
    fieldsets = [
        (None, {"fields": [*AssessmentForm.Meta.fields[:-2], "status", "revision"]}),
        (gettext_lazy("Narrative"), {"fields": ["introduction", "summary"]}),
    ]
    inlines = [FindingInline, SourceInline, ContextFigureInline, FollowUpInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("government", "framework")
            .annotate(answered_count=Count("answers", filter=~Q(answers__value="")))
            .order_by(*Assessment._meta.ordering)  # GROUP BY drops Meta.ordering
        )

    @admin.display(description=gettext_lazy("answered"), ordering="answered_count")
    def answered(self, obj):
        return obj.answered_count

    # Permissions: content is locked outside draft/returned for everyone.

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit(request, obj))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            # Locked since the page was opened (e.g. shared for consultation): say so
            # plainly instead of a bare "403 Forbidden"; nothing is saved.
            obj = self.get_object(request, unquote(object_id))
            if (
                obj is not None
                and self.has_view_permission(request, obj)
                and not self.has_change_permission(request, obj)
            ):
                try:
                    workflow.assert_editable(obj, by=request.user)
                except workflow.NotEditable as error:
                    messages.error(request, error_text(error))
                    return self._back(obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        request._mgi_parent = obj  # the `previous` choices depend on the assessment
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_inline_instances(self, request, obj=None):
        if obj is None:
            return []
        inlines = super().get_inline_instances(request, obj)
        if not obj.previous_id:
            inlines = [i for i in inlines if not isinstance(i, FollowUpInline)]
        return inlines

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, FollowUpInline) and request.method != "POST":
            kwargs["initial"] = [{"finding": f.pk} for f in pending_follow_ups(request, obj)]
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "previous":
            # The rule itself is `Assessment.clean`; these are the choices that pass it.
            obj = getattr(request, "_mgi_parent", None)
            candidates = self.scope(request, Assessment.objects.all()).select_related("government")
            if obj is None:
                # New assessment, government not chosen yet: rounds nobody follows up.
                kwargs["queryset"] = candidates.filter(follow_up__isnull=True)
            else:
                # This government's earlier rounds, offered as a plain list.
                kwargs["queryset"] = candidates.filter(
                    Q(follow_up__isnull=True) | Q(follow_up=obj),
                    government_id=obj.government_id,
                    year__lt=obj.year,
                    round_number__lt=obj.round_number,
                ).order_by("-year")
                kwargs["widget"] = forms.Select
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if autocomplete_target(request) == "assessment.previous":
            queryset = queryset.filter(follow_up__isnull=True)
        return queryset, may_have_duplicates

    # Saving: one revision check (in the form, under a row lock), one bump.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            answers.ensure_answer_rows(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            form.answers.save()
            workflow.bump_revision(form.instance)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.workflow_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)
