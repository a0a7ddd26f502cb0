"""Admin for governments, assessments and their parts, and the workflow records.

Two rules hold on every admin path (lists, forms, delete, history, autocomplete,
raw-id popups, custom views):

- Isolation: a government official sees only the objects of the governments they
  hold a Membership for. IOM staff (`profiles.view_all_assessments`) and
  superusers see every government. Administrators see every government and
  membership (assigning roles is their job) but no assessment content.
- Locking: content changes only while `workflow.can_edit` says so (draft or
  returned, by staff or a focal point of that government), for everyone, staff
  included. Validators read, never edit. Every content save checks
  `workflow.assert_editable` and bumps the assessment's revision, so a save made
  from a stale page is refused instead of overwriting someone else's work.

The assessment's change page is the data-entry page: every indicator grouped by
dimension and area (`forms.AnswerSheet`), findings, sources, context figures,
narrative, follow-ups, the workflow buttons, the consultation and the history.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Dimension, Indicator
from profiles import content as profile_content
from profiles import workflow
from profiles.editing.admin_spreadsheet import SpreadsheetAdminMixin
from profiles.editing.forms import (
    AnswerPartForm,
    AssessmentForm,
    CommentForm,
    NoteForm,
    PublishForm,
    ResolveForm,
    SignOffForm,
    TranslationForm,
    ensure_answer_rows,
    group_by,
)
from profiles.models import (
    LANGUAGE_CHOICES,
    Answer,
    Assessment,
    ConsultationComment,
    ContentTranslation,
    ContextFigure,
    Finding,
    FindingKind,
    FollowUp,
    Government,
    GovernmentRole,
    Membership,
    Publication,
    Resolution,
    SignOff,
    Source,
    StatusChange,
)
from profiles.workflow import consultation, signoff

# --- Who sees what ------------------------------------------------------------------


def sees_all(user) -> bool:
    """IOM staff and superusers act for every government."""
    return user.is_active and (user.is_superuser or user.has_perm("profiles.view_all_assessments"))


def own_government_ids(user):
    """The governments `user` holds any role for, as a subquery (no extra query)."""
    return Membership.objects.filter(user=user).values("government_id")


def can_edit(request, assessment: Assessment) -> bool:
    """`workflow.can_edit`, remembered for the request (admin asks it many times a page)."""
    cache = request.__dict__.setdefault("_mgi_can_edit", {})
    key = (assessment.pk, assessment.status)
    if key not in cache:
        cache[key] = workflow.can_edit(request.user, assessment)
    return cache[key]


def editable_assessments(request):
    """Assessments whose content `request.user` may change now."""
    queryset = Assessment.objects.editable().select_related("government")
    if sees_all(request.user):
        return queryset
    return queryset.filter(
        government__in=Membership.objects.filter(
            user=request.user, role=GovernmentRole.FOCAL_POINT
        ).values("government_id")
    )


def _scoped(model, request):
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

    def sees_all(self, request) -> bool:
        user = request.user
        return sees_all(user) or bool(
            self.sees_all_permission and user.has_perm(self.sees_all_permission)
        )

    def scope(self, request, queryset):
        """Limit `queryset` to what the user may see."""
        if self.sees_all(request):
            return queryset
        lookup = f"{self.government_lookup}__in" if self.government_lookup else "pk__in"
        return queryset.filter(**{lookup: own_government_ids(request.user)})

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
    """A part of an assessment's content, editable only while `workflow.can_edit` allows."""

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
        assessment = Assessment.objects.select_for_update().get(pk=obj.assessment_id)
        workflow.assert_editable(assessment, by=request.user)
        super().save_model(request, obj, form, change)
        workflow.bump_revision(assessment)

    def delete_model(self, request, obj):
        assessment = Assessment.objects.select_for_update().get(pk=obj.assessment_id)
        workflow.assert_editable(assessment, by=request.user)
        super().delete_model(request, obj)
        workflow.bump_revision(assessment)


# --- Governments and roles ------------------------------------------------------------


@admin.register(Government)
class GovernmentAdmin(ScopedAdmin):
    government_lookup = ""
    sees_all_permission = "profiles.change_membership"
    list_display = ["display_name", "level", "kind", "country", "slug"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "slug", "country"]


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    government_lookup = "government"
    sees_all_permission = "profiles.change_membership"
    list_display = ["user", "government", "role", "ministry"]
    list_filter = ["role"]
    list_select_related = ["user", "government"]
    search_fields = ["user__username", "government__name", "government__slug", "ministry"]
    autocomplete_fields = ["user", "government"]


# --- The assessment page's inlines ----------------------------------------------------


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
        return [] if sees_all(request.user) else ["is_good_practice"]

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


# --- The assessment ---------------------------------------------------------------------


@admin.register(Assessment)
class AssessmentAdmin(SpreadsheetAdminMixin, ScopedAdmin):
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
            ensure_answer_rows(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            form.answers.save()
            workflow.bump_revision(form.instance)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.workflow_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_context(self, request, obj: Assessment) -> dict:
        """Everything the page shows besides the form: actions, consultation, history."""
        comments = list(
            obj.comments.select_related("indicator", "author", "resolved_by").order_by(
                "created_at", "pk"
            )
        )
        indicator_choices = []
        if consultation.can_comment(request.user, obj):
            indicator_choices = [
                (i.pk, f"{i.code} {i.question[:90]}")
                for i in Indicator.objects.filter(framework_id=obj.framework_id)
                .current()
                .order_by("area__dimension__code", "area__position", "position")
                .only("pk", "code", "question")
            ]
        transitions = workflow.available(obj, request.user)
        return {
            "transitions": transitions,
            "note_form": NoteForm(),
            "publish_form": PublishForm(),
            "status_changes": obj.status_changes.select_related("by"),
            "comments": comments,
            "comments_by_indicator": group_by(comments, lambda c: c.indicator_id),
            "comment_form": CommentForm(indicator_choices=indicator_choices)
            if indicator_choices
            else None,
            "resolve_form": ResolveForm() if consultation.can_resolve(request.user, obj) else None,
            "open_comments": sum(c.resolution == Resolution.OPEN for c in comments),
            "translation_languages": [
                (code, name) for code, name in LANGUAGE_CHOICES if code != obj.original_language
            ],
            "can_edit_content": can_edit(request, obj),
        }

    # Workflow and consultation views -------------------------------------------------

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path(
                "<path:object_id>/transition/<slug:name>/",
                wrap(self.transition_view),
                name="profiles_assessment_transition",
            ),
            path(
                "<path:object_id>/sign-off/",
                wrap(self.sign_off_view),
                name="profiles_assessment_sign_off",
            ),
            path(
                "<path:object_id>/comments/add/",
                wrap(self.add_comment_view),
                name="profiles_assessment_add_comment",
            ),
            path(
                "<path:object_id>/comments/<int:comment_id>/resolve/",
                wrap(self.resolve_comment_view),
                name="profiles_assessment_resolve_comment",
            ),
            path(
                "<path:object_id>/translations/<slug:language>/",
                wrap(self.translation_view),
                name="profiles_assessment_translation",
            ),
            *super().get_urls(),
        ]

    def _visible(self, request, object_id) -> Assessment:
        """The assessment if the user may see it; 404 otherwise (reveals nothing)."""
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        return obj

    def _back(self, obj):
        return HttpResponseRedirect(reverse("admin:profiles_assessment_change", args=[obj.pk]))

    def transition_view(self, request, object_id, name):
        """Apply one transition (POST only); refusals become messages and change nothing."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._visible(request, object_id)
        transition = workflow.BY_NAME.get(name)
        if transition is None:
            raise Http404
        if transition is workflow.VALIDATE:
            return HttpResponseRedirect(
                reverse("admin:profiles_assessment_sign_off", args=[obj.pk])
            )
        note_form = NoteForm(request.POST)
        publish_form = PublishForm(request.POST)
        if not (note_form.is_valid() and publish_form.is_valid()):
            messages.error(request, _("Check the date and time given."))
            return self._back(obj)
        try:
            workflow.apply(
                transition,
                obj,
                by=request.user,
                note=note_form.cleaned_data["note"],
                release_at=publish_form.cleaned_data.get("release_at"),
            )
        except (workflow.InvalidTransition, PermissionDenied, ValidationError) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request, _("Done: %(action)s.") % {"action": str(transition.label).lower()}
            )
        return self._back(obj)

    def sign_off_view(self, request, object_id):
        """The validator's page: every text the signature covers, and the sign-off form."""
        obj = self._visible(request, object_id)
        allowed = workflow.VALIDATE in workflow.available(obj, request.user)
        review = signoff.review(obj)
        form = SignOffForm(request.POST or None, initial={"reviewed_hash": review.content_hash})
        if request.method == "POST":
            if not allowed:
                raise PermissionDenied
            if form.is_valid():
                try:
                    workflow.apply(
                        workflow.VALIDATE,
                        obj,
                        by=request.user,
                        sign_off=workflow.SignOffDetails(**form.cleaned_data),
                    )
                except (workflow.InvalidTransition, PermissionDenied, ValidationError) as error:
                    messages.error(request, error_text(error))
                    # Show the content as it is now, with its hash, keeping what they typed.
                    form = SignOffForm(
                        initial={**form.cleaned_data, "reviewed_hash": review.content_hash}
                    )
                else:
                    messages.success(request, _("You validated this assessment."))
                    return self._back(obj)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Validate: %(title)s") % {"title": obj.title},
            "opts": self.opts,
            "original": obj,
            "assessment": obj,
            "review": review,
            "form": form,
            "allowed": allowed,
            "sources": {s["id"]: s for s in review.content["sources"]},
        }
        return TemplateResponse(request, "admin/profiles/assessment/sign_off.html", context)

    def add_comment_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._visible(request, object_id)
        choices = list(
            Indicator.objects.filter(framework_id=obj.framework_id)
            .current()
            .values_list("pk", "code")
        )
        form = CommentForm(request.POST, indicator_choices=choices)
        if not form.is_valid():
            messages.error(request, _("Give the indicator, the ministry and the comment."))
            return self._back(obj)
        try:
            consultation.add_comment(
                obj,
                by=request.user,
                indicator=Indicator.objects.get(pk=form.cleaned_data["indicator"]),
                ministry=form.cleaned_data["ministry"],
                text=form.cleaned_data["text"],
            )
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Your comment is recorded."))
        return self._back(obj)

    def resolve_comment_view(self, request, object_id, comment_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._visible(request, object_id)
        comment = ConsultationComment.objects.filter(assessment=obj, pk=comment_id).first()
        if comment is None:
            raise Http404
        form = ResolveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose accepted or declined."))
            return self._back(obj)
        try:
            consultation.resolve_comment(
                comment,
                by=request.user,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
            )
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The comment is resolved."))
        return self._back(obj)

    def translation_view(self, request, object_id, language):
        """Translate every public text into `language`, next to the original."""
        obj = self._visible(request, object_id)
        languages = dict(LANGUAGE_CHOICES)
        if language not in languages or language == obj.original_language:
            raise Http404
        content = profile_content.build(obj, include_translations=False)
        originals = profile_content.translatable_texts(content)
        current_hash = profile_content.original_digest(content)
        existing = ContentTranslation.objects.filter(assessment=obj, language=language).first()
        editable = can_edit(request, obj)
        form = TranslationForm(
            request.POST or None,
            originals=originals,
            existing=existing.texts if existing else {},
            initial={"opened_revision": obj.revision},
        )
        if request.method == "POST":
            if not editable:
                raise PermissionDenied
            if form.is_valid():
                try:
                    with transaction.atomic():
                        locked = Assessment.objects.select_for_update().get(pk=obj.pk)
                        workflow.assert_editable(
                            locked,
                            by=request.user,
                            revision=form.cleaned_data["opened_revision"],
                        )
                        ContentTranslation.objects.update_or_create(
                            assessment=obj,
                            language=language,
                            defaults={"texts": form.texts(), "source_hash": current_hash},
                        )
                        workflow.bump_revision(obj)
                except workflow.NotEditable as error:
                    messages.error(request, error_text(error))
                else:
                    messages.success(request, _("The translation is saved."))
                    return self._back(obj)
        statuses = {
            t.language: t.source_hash == current_hash
            for t in ContentTranslation.objects.filter(assessment=obj).only(
                "language", "source_hash"
            )
        }
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(language)s translation: %(title)s")
            % {"language": languages[language], "title": obj.title},
            "opts": self.opts,
            "original": obj,
            "assessment": obj,
            "language": language,
            "language_name": languages[language],
            "form": form,
            "editable": editable,
            "existing": existing,
            "is_stale": existing is not None and existing.source_hash != current_hash,
            "statuses": [
                (code, name, statuses.get(code))
                for code, name in LANGUAGE_CHOICES
                if code != obj.original_language
            ],
        }
        return TemplateResponse(request, "admin/profiles/assessment/translation.html", context)


# --- Parts of assessments, on their own pages ------------------------------------------


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
        return fields if sees_all(request.user) else [*fields, "is_good_practice"]

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
    """Listed here; edited on the assessment's translation pages, which set the source hash."""

    list_display = ["assessment", "language", "updated_at"]
    list_filter = ["language"]
    list_select_related = ["assessment__government"]
    readonly_fields = ["source_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
