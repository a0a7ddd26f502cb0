"""Admin pages for the spreadsheet round-trip of an assessment's answers.

`SpreadsheetAdminMixin` adds to an assessment's admin:

* ``<id>/spreadsheet/``: download links (XLSX, CSV) and the upload form;
* ``<id>/spreadsheet/download.xlsx`` and ``.csv``: the pre-filled file;
* ``<id>/spreadsheet/upload/`` (POST): reads and checks the file, then shows its
  problems, or keeps it and redirects to the preview;
* ``<id>/spreadsheet/preview/<token>/``: every change cell by cell, with a
  confirm button; nothing is saved yet;
* ``<id>/spreadsheet/confirm/<token>/`` (POST): applies the previewed changes in
  one transaction, or refuses if the assessment changed since the preview.

Between preview and confirmation the uploaded file is kept in the default
storage (shared by every app server) under an unguessable token that is also
recorded in the uploader's session, so only the person who previewed a file can
confirm it. A file left in preview (the uploader went away) holds draft answers,
so it is deleted after `UPLOAD_MAX_AGE`: by the next upload, or by
`manage.py sweep_uploads` on a timer (`profiles.editing.uploads`). Who may do
what is decided by `profiles.access`, as everywhere.
"""

import secrets

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from profiles import access, workflow
from profiles.editing import spreadsheets, uploads
from profiles.models import Assessment

SESSION_KEY = "spreadsheet_imports"
KEEP_PREVIEWS = 5  # per session; older uploads are deleted
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class UploadGone(Exception):
    """The kept file of a known preview was swept (see `uploads.sweep_uploads`)."""


class SpreadsheetUploadForm(forms.Form):
    """The file to import."""

    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
        help_text=gettext_lazy(
            "Start from the downloaded file. At most 5 MB and 2,000 rows; formulas are refused."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > spreadsheets.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {
                    "size": f"{upload.size / 1024 / 1024:.1f}",
                    "limit": f"{spreadsheets.MAX_BYTES / 1024 / 1024:.0f}",
                }
            )
        return upload


class SpreadsheetAdminMixin:
    """Download, upload, preview and confirm views for an assessment's answers."""

    spreadsheet_template = "admin/profiles/spreadsheet_page.html"
    spreadsheet_preview_template = "admin/profiles/spreadsheet_preview.html"

    def get_urls(self):
        info = (self.opts.app_label, self.opts.model_name)
        wrap = self.admin_site.admin_view
        urls = [
            path(
                "<path:object_id>/spreadsheet/",
                wrap(self.spreadsheet_view),
                name="{}_{}_spreadsheet".format(*info),
            ),
            path(
                "<path:object_id>/spreadsheet/download.<str:extension>",
                wrap(self.spreadsheet_download_view),
                name="{}_{}_spreadsheet_download".format(*info),
            ),
            path(
                "<path:object_id>/spreadsheet/upload/",
                wrap(self.spreadsheet_upload_view),
                name="{}_{}_spreadsheet_upload".format(*info),
            ),
            path(
                "<path:object_id>/spreadsheet/preview/<str:token>/",
                wrap(self.spreadsheet_preview_view),
                name="{}_{}_spreadsheet_preview".format(*info),
            ),
            path(
                "<path:object_id>/spreadsheet/confirm/<str:token>/",
                wrap(self.spreadsheet_confirm_view),
                name="{}_{}_spreadsheet_confirm".format(*info),
            ),
        ]
        return urls + super().get_urls()

    # --- helpers -----------------------------------------------------------------

    def _spreadsheet_url(self, name: str, assessment: Assessment, **kwargs) -> str:
        info = (self.opts.app_label, self.opts.model_name)
        return reverse(
            "admin:{}_{}_spreadsheet{}".format(*info, f"_{name}" if name else ""),
            kwargs={"object_id": assessment.pk, **kwargs},
            current_app=self.admin_site.name,
        )

    def _spreadsheet_assessment(self, request, object_id: str) -> Assessment:
        """The assessment, if this user may see it at all; 404 otherwise (no existence leak)."""
        assessment = self.get_object(request, unquote(object_id))
        if (
            assessment is None
            or not self.has_view_or_change_permission(request, assessment)
            or not access.assessments_for(request.user).filter(pk=assessment.pk).exists()
        ):
            raise Http404(_("No such assessment."))
        return assessment

    def _spreadsheet_context(self, request, assessment: Assessment, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": assessment,
            "assessment": assessment,
            "has_view_permission": True,
            "can_upload": access.can_import(request.user, assessment),
            "page_url": self._spreadsheet_url("", assessment),
            "xlsx_url": self._spreadsheet_url("download", assessment, extension="xlsx"),
            "csv_url": self._spreadsheet_url("download", assessment, extension="csv"),
            "upload_url": self._spreadsheet_url("upload", assessment),
            "change_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[assessment.pk],
                current_app=self.admin_site.name,
            ),
            "max_rows": spreadsheets.MAX_ROWS,
            "columns": spreadsheets.COLUMNS,
            **extra,
        }

    def _pending(self, request) -> dict:
        return request.session.get(SESSION_KEY, {})

    def _remember(self, request, token: str, entry: dict) -> None:
        pending = dict(self._pending(request))
        pending[token] = entry
        while len(pending) > KEEP_PREVIEWS:
            oldest = next(iter(pending))
            default_storage.delete(pending.pop(oldest)["path"])
        request.session[SESSION_KEY] = pending

    def _forget(self, request, token: str) -> None:
        pending = dict(self._pending(request))
        entry = pending.pop(token, None)
        if entry:
            default_storage.delete(entry["path"])
        request.session[SESSION_KEY] = pending

    def _stored_upload(self, request, assessment: Assessment, token: str) -> tuple[dict, bytes]:
        """The session's entry for `token` and the kept file's bytes.

        An unknown token (replayed, or another person's) is a 404; a known one
        whose file was swept raises `UploadGone`, which the views turn into a
        message on the spreadsheet page.
        """
        entry = self._pending(request).get(token)
        if not entry or entry["assessment"] != assessment.pk:
            raise Http404(_("This upload is no longer available; upload the file again."))
        try:
            with default_storage.open(entry["path"], "rb") as handle:
                return entry, handle.read()
        except FileNotFoundError:
            self._forget(request, token)
            raise UploadGone from None

    def _upload_gone(self, request, assessment: Assessment) -> HttpResponse:
        messages.error(
            request,
            _("This upload was kept for a day and then deleted; upload the file again."),
        )
        return HttpResponseRedirect(self._spreadsheet_url("", assessment))

    def _render_preview(self, request, assessment, plan, *, filename, token=None):
        context = self._spreadsheet_context(
            request,
            assessment,
            title=_("Check the changes before saving"),
            plan=plan,
            errors=[str(e) for e in plan.reported_errors()],
            filename=filename,
            token=token,
            confirm_url=self._spreadsheet_url("confirm", assessment, token=token)
            if token
            else None,
        )
        return TemplateResponse(request, self.spreadsheet_preview_template, context)

    # --- views ---------------------------------------------------------------------

    def spreadsheet_view(self, request, object_id):
        """Download links and, for people who may edit now, the upload form."""
        if request.method != "GET":
            return HttpResponse(status=405)
        assessment = self._spreadsheet_assessment(request, object_id)
        context = self._spreadsheet_context(
            request,
            assessment,
            title=_("Answers as a spreadsheet"),
            form=SpreadsheetUploadForm(),
        )
        return TemplateResponse(request, self.spreadsheet_template, context)

    def spreadsheet_download_view(self, request, object_id, extension):
        """The pre-filled answers file; formula-like text is neutralised."""
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405)
        assessment = self._spreadsheet_assessment(request, object_id)
        if extension == "xlsx":
            body = spreadsheets.export_xlsx(assessment)
        elif extension == "csv":
            body = spreadsheets.export_csv(assessment)
        else:
            raise Http404(_("Download as .xlsx or .csv."))
        filename = spreadsheets.export_filename(assessment, extension)
        return HttpResponse(
            body,
            content_type=CONTENT_TYPES[extension],
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "private, no-store",
            },
        )

    def spreadsheet_upload_view(self, request, object_id):
        """Check an uploaded file; show its problems, or keep it and go to the preview."""
        if request.method != "POST":
            return HttpResponseRedirect(
                self._spreadsheet_url("", self._spreadsheet_assessment(request, object_id))
            )
        assessment = self._spreadsheet_assessment(request, object_id)
        if not access.can_import(request.user, assessment):
            raise PermissionDenied(_("You may not edit this assessment now."))
        form = SpreadsheetUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            context = self._spreadsheet_context(
                request, assessment, title=_("Answers as a spreadsheet"), form=form
            )
            return TemplateResponse(request, self.spreadsheet_template, context, status=400)
        upload = form.cleaned_data["file"]
        data = upload.read()
        # Only the name itself is kept: it is shown in the preview, kept in the
        # session and written to the admin log, so it must never carry a path.
        filename = spreadsheets.clean_filename(upload.name)
        try:
            plan = spreadsheets.plan(assessment, data, filename=filename, by=request.user)
        except workflow.NotEditable as exc:
            raise PermissionDenied(str(exc)) from None
        if not plan.ok or not plan.changes:
            response = self._render_preview(request, assessment, plan, filename=filename)
            response.status_code = 200 if plan.ok else 400
            return response
        uploads.sweep_uploads()  # others' abandoned previews
        token = secrets.token_urlsafe(24)
        extension = filename.rsplit(".", 1)[-1].lower()  # "xlsx" or "csv": plan() read it
        if extension not in CONTENT_TYPES:
            raise PermissionDenied(
                _("Upload an .xlsx or .csv file (got “%(name)s”).") % {"name": filename}
            )
        stored = default_storage.save(
            f"{uploads.UPLOAD_FOLDER}/{assessment.pk}/{token}.{extension}", ContentFile(data)
        )
        self._remember(
            request,
            token,
            {"assessment": assessment.pk, "path": stored, "filename": filename},
        )
        return HttpResponseRedirect(self._spreadsheet_url("preview", assessment, token=token))

    def spreadsheet_preview_view(self, request, object_id, token):
        """The changes cell by cell, recomputed against the assessment as it is now."""
        if request.method != "GET":
            return HttpResponse(status=405)
        assessment = self._spreadsheet_assessment(request, object_id)
        try:
            entry, data = self._stored_upload(request, assessment, token)
        except UploadGone:
            return self._upload_gone(request, assessment)
        try:
            plan = spreadsheets.plan(assessment, data, filename=entry["filename"], by=request.user)
        except workflow.NotEditable as exc:
            # Locked since the upload (e.g. shared for consultation): say so plainly.
            self._forget(request, token)
            messages.error(request, str(exc))
            return HttpResponseRedirect(self._spreadsheet_url("", assessment))
        return self._render_preview(
            request, assessment, plan, filename=entry["filename"], token=token
        )

    def spreadsheet_confirm_view(self, request, object_id, token):
        """Apply exactly the previewed changes, all or nothing."""
        if request.method != "POST":
            return HttpResponse(status=405)
        assessment = self._spreadsheet_assessment(request, object_id)
        page_url = self._spreadsheet_url("", assessment)
        if "cancel" in request.POST:
            self._forget(request, token)
            messages.info(request, _("The upload was discarded; nothing was changed."))
            return HttpResponseRedirect(page_url)
        try:
            entry, data = self._stored_upload(request, assessment, token)
        except UploadGone:
            return self._upload_gone(request, assessment)
        try:
            revision = int(request.POST.get("revision", ""))
        except ValueError:
            revision = -1  # a confirmation must say which revision it previewed
        try:
            plan = spreadsheets.apply(
                assessment,
                data,
                filename=entry["filename"],
                by=request.user,
                revision=revision,
                fingerprint=request.POST.get("fingerprint", ""),
            )
        except (workflow.NotEditable, spreadsheets.SpreadsheetError) as exc:
            self._forget(request, token)
            messages.error(request, str(exc))
            return HttpResponseRedirect(page_url)
        self._forget(request, token)
        summary = _(
            "Imported “%(filename)s”: %(answers)d answer(s) changed, %(cells)d cell(s)."
        ) % {
            "filename": entry["filename"],
            "answers": plan.changed_rows,
            "cells": len(plan.changes),
        }
        self.log_change(request, assessment, summary)
        messages.success(request, summary)
        return HttpResponseRedirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[assessment.pk],
                current_app=self.admin_site.name,
            )
        )
