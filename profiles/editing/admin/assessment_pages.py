"""The assessment page's own views: workflow buttons, sign-off, consultation, translations.

Each view finds the assessment through the admin's scoped queryset (404 for
another government's) and leaves every decision to `profiles.access` (who) and
`profiles.workflow` (when); refusals become messages and change nothing.
"""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from indicators.models import Indicator
from profiles import access, workflow
from profiles import content as profile_content
from profiles.editing import answers
from profiles.editing.admin.scoping import can_edit, error_text
from profiles.editing.forms import (
    CommentForm,
    NoteForm,
    PublishForm,
    ResolveForm,
    SignOffForm,
    TranslationForm,
    group_by,
)
from profiles.models import (
    LANGUAGE_CHOICES,
    Assessment,
    ConsultationComment,
    ContentTranslation,
    Resolution,
)
from profiles.workflow import consultation, signoff


class AssessmentPagesMixin:
    """The views an assessment's change page links to, and what that page shows besides the form."""

    def workflow_context(self, request, obj: Assessment) -> dict:
        """Everything the page shows besides the form: actions, consultation, history."""
        comments = list(
            obj.comments.select_related("indicator", "author", "resolved_by").order_by(
                "created_at", "pk"
            )
        )
        indicator_choices = []
        if access.can_comment(request.user, obj):
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
            "resolve_form": ResolveForm() if access.can_resolve(request.user, obj) else None,
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
        translations = review.languages[1:]
        form = SignOffForm(
            request.POST or None,
            initial={"reviewed_hash": review.content_hash},
            translations=translations,
        )
        if request.method == "POST":
            if not allowed:
                raise PermissionDenied
            if form.is_valid():
                try:
                    workflow.apply(
                        workflow.VALIDATE,
                        obj,
                        by=request.user,
                        sign_off=form.details(),
                    )
                except (workflow.InvalidTransition, PermissionDenied, ValidationError) as error:
                    messages.error(request, error_text(error))
                    # Show the content as it is now, with its hash, keeping what they typed.
                    form = SignOffForm(
                        initial={**form.cleaned_data, "reviewed_hash": review.content_hash},
                        translations=translations,
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
        """Translate every public text into `language`, next to the original and its state."""
        obj = self._visible(request, object_id)
        languages = dict(LANGUAGE_CHOICES)
        if language not in languages or language == obj.original_language:
            raise Http404
        content = profile_content.build(obj, include_translations=False)
        originals = profile_content.translatable_texts(content)
        translations = {
            t.language: t
            for t in ContentTranslation.objects.filter(assessment=obj).exclude(
                language=obj.original_language
            )
        }
        existing = translations.get(language)
        editable = can_edit(request, obj)
        form = TranslationForm(
            request.POST or None,
            originals=originals,
            existing=existing.texts if existing else {},
            states=profile_content.field_states(originals, existing.texts, existing.source_hashes)
            if existing
            else dict.fromkeys(originals, profile_content.MISSING),
            initial={"opened_revision": obj.revision},
        )
        if request.method == "POST":
            if not editable:
                raise PermissionDenied
            if form.is_valid():
                try:
                    changed = answers.save_translation(
                        obj,
                        language=language,
                        texts=form.texts(),
                        originals=originals,
                        by=request.user,
                        revision=form.cleaned_data["opened_revision"],
                    )
                except workflow.NotEditable as error:
                    messages.error(request, error_text(error))
                else:
                    if changed:
                        messages.success(request, _("The translation is saved."))
                    else:
                        messages.info(request, _("Nothing changed in the translation."))
                    return self._back(obj)
        statuses = []
        for code, name in LANGUAGE_CHOICES:
            if code == obj.original_language:
                continue
            row = translations.get(code)
            counts = (
                Counter(
                    profile_content.field_states(originals, row.texts, row.source_hashes).values()
                )
                if row
                else None
            )
            statuses.append((code, name, counts))
        stale = [
            key for key, _original, _field, state in form.rows() if state == profile_content.STALE
        ]
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
            "stale_count": len(stale),
            "statuses": statuses,
        }
        return TemplateResponse(request, "admin/profiles/assessment/translation.html", context)
