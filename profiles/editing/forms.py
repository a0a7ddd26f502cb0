"""Forms for entering an assessment in admin and moving it through the workflow.

The answers of an assessment are one form per indicator, keyed by indicator
(`answer-<indicator pk>-value`), so a framework of 100+ indicators is read in a
fixed number of queries and saved in a fixed number of queries whatever the
number of indicators.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from indicators.models import Dimension, Indicator
from profiles import workflow
from profiles.editing import answers
from profiles.models import (
    LANGUAGE_CHOICES,
    Answer,
    AnswerValue,
    Assessment,
    Resolution,
    Source,
)

NOT_ANSWERED = ("", _("Not answered yet"))


class AnswerForm(forms.Form):
    """One indicator's answer, justification, evidence and sources."""

    value = forms.ChoiceField(
        label=_("Answer"),
        choices=[NOT_ANSWERED, *AnswerValue.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    justification = forms.CharField(
        label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.CharField(
        label=_("Evidence references"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    sources = forms.TypedMultipleChoiceField(
        label=_("Sources"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )

    def __init__(self, *args, indicator: Indicator, answer: Answer | None, source_choices, **kw):
        self.indicator = indicator
        self.answer = answer
        kw["initial"] = {
            "value": answer.value if answer else "",
            "justification": answer.justification if answer else "",
            "evidence": answer.evidence if answer else "",
            "sources": [s.pk for s in answer.sources.all()] if answer else [],
        }
        super().__init__(*args, **kw)
        self.fields["sources"].choices = source_choices

    @property
    def value_label(self) -> str:
        """The stored answer's label, for read-only pages."""
        return dict(self.fields["value"].choices).get(self.initial["value"], "")

    @property
    def is_answered(self) -> bool:
        """Whether the stored answer (not the posted one) has a value."""
        return bool(self.answer and self.answer.value)


@dataclass
class AreaGroup:
    """An area's indicators, in framework order."""

    area: object
    forms: list = field(default_factory=list)


@dataclass
class DimensionGroup:
    """A dimension's areas and how many of its indicators are answered."""

    dimension: Dimension
    areas: list = field(default_factory=list)
    answered: int = 0
    total: int = 0


class AnswerSheet:
    """Every current indicator of an assessment's framework, with its answer form.

    Reads in four queries (indicators with area and dimension, answers, their
    sources, the assessment's sources) and saves in a fixed number of queries,
    however many indicators the framework has. Answer rows missing for an
    indicator (e.g. an indicator added to the framework later) are created on save.
    """

    def __init__(self, assessment: Assessment, *, data=None):
        self.assessment = assessment
        indicators = Indicator.objects.filter(framework_id=assessment.framework_id).current()
        stored = {
            a.indicator_id: a
            for a in Answer.objects.filter(assessment=assessment).prefetch_related(
                Prefetch("sources", queryset=Source.objects.only("pk"))
            )
        }
        source_choices = [
            (s.pk, str(s))
            for s in Source.objects.filter(assessment=assessment).only("pk", "title", "year")
        ]
        self.forms = [
            AnswerForm(
                data,
                prefix=f"answer-{indicator.pk}",
                indicator=indicator,
                answer=stored.get(indicator.pk),
                source_choices=source_choices,
            )
            for indicator in indicators.in_order()
        ]

    def __iter__(self):
        return iter(self.forms)

    def __len__(self) -> int:
        return len(self.forms)

    @property
    def groups(self) -> list[DimensionGroup]:
        """Forms grouped by dimension and area, with answered / total per dimension."""
        dimensions: dict[int, DimensionGroup] = {}
        areas: dict[int, AreaGroup] = {}
        for form in self.forms:
            area = form.indicator.area
            dimension = area.dimension
            group = dimensions.setdefault(dimension.pk, DimensionGroup(dimension))
            if area.pk not in areas:
                areas[area.pk] = AreaGroup(area)
                group.areas.append(areas[area.pk])
            areas[area.pk].forms.append(form)
            group.total += 1
            group.answered += form.is_answered
        return list(dimensions.values())

    @property
    def answered(self) -> int:
        return sum(form.is_answered for form in self.forms)

    def is_valid(self) -> bool:
        return all(form.is_valid() for form in self.forms)

    @property
    def errors(self) -> list:
        return [form for form in self.forms if form.errors]

    def changed_forms(self) -> list[AnswerForm]:
        return [form for form in self.forms if form.has_changed()]

    def save(self) -> int:
        """Store the changed answers; returns how many changed. Call after is_valid()."""
        changed = self.changed_forms()
        answers.write_answers(
            self.assessment,
            [
                answers.AnswerEdit(
                    indicator_id=form.indicator.pk,
                    value=form.cleaned_data["value"],
                    justification=form.cleaned_data["justification"],
                    evidence=form.cleaned_data["evidence"],
                    sources=form.cleaned_data["sources"]
                    if "sources" in form.changed_data
                    else None,
                )
                for form in changed
            ],
            existing={form.indicator.pk: form.answer for form in self.forms if form.answer},
            blank=[
                form.indicator.pk
                for form in self.forms
                if form.answer is None and form not in changed
            ],
        )
        return len(changed)


class AssessmentForm(forms.ModelForm):
    """The assessment's own fields, plus the revision the editor opened the page at.

    The answers of every indicator travel with this form (`self.answers`), so an
    invalid answer refuses the whole save and nothing is half-stored. `request` is
    set by the admin on a per-request subclass.
    """

    opened_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    request = None

    class Meta:
        model = Assessment
        fields = [
            "government",
            "framework",
            "year",
            "round_number",
            "previous",
            "original_language",
            "is_sample",
            "introduction",
            "summary",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = None
        if self.instance.pk:
            self.fields["opened_revision"].initial = self.instance.revision
            self.fields["opened_revision"].required = True
            self.answers = AnswerSheet(self.instance, data=self.data if self.is_bound else None)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        # Locked for the rest of the admin's transaction (the admin bumps the revision).
        answers.lock(self.instance.pk)
        try:
            workflow.assert_editable(
                self.instance, by=self.request.user, revision=cleaned.get("opened_revision")
            )
        except workflow.NotEditable as error:
            raise ValidationError(str(error)) from None
        if not self.answers.is_valid():
            raise ValidationError(_("Some answers need correcting: see the indicators below."))
        return cleaned


class AnswerPartForm(forms.ModelForm):
    """One answer on its own admin page: its sources must be its assessment's own.

    (A model's `clean()` cannot see many-to-many choices before they are saved, so
    this rule is here, and in a database trigger, migration 0004.)
    """

    class Meta:
        model = Answer
        fields = ["assessment", "indicator", "value", "justification", "evidence", "sources"]

    def clean(self):
        cleaned = super().clean()
        assessment = cleaned.get("assessment") or (
            self.instance.assessment if self.instance.assessment_id else None
        )
        sources = cleaned.get("sources") or []
        if assessment is not None and any(s.assessment_id != assessment.pk for s in sources):
            self.add_error("sources", _("Choose sources of this answer's own assessment."))
        return cleaned


class NoteForm(forms.Form):
    """A transition's note (a reason, recorded in the audit row and emailed)."""

    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SignOffForm(forms.Form):
    """What a validator states when validating the content shown beside the form."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    title = forms.CharField(label=_("Your title"), max_length=200)
    ministry = forms.CharField(label=_("Ministry or agency"), max_length=200)
    statement = forms.CharField(
        label=_("Statement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("The government validates the content of this profile as shown on this page."),
    )
    # The fingerprint of the content the page showed; the workflow refuses any other.
    reviewed_hash = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)

    def __init__(self, *args, translations: Sequence[str] = (), **kwargs):
        """`translations`: the other languages being validated; each may get the statement.

        Readers of the French profile then read the validator's own French words; a
        statement not given in a language is shown in the original, marked as such.
        """
        super().__init__(*args, **kwargs)
        for language in translations:
            self.fields[f"statement_{language}"] = forms.CharField(
                label=_("Statement in %(language)s (optional)")
                % {"language": get_language_info(language)["name_translated"]},
                required=False,
                widget=forms.Textarea(
                    attrs={
                        "rows": 3,
                        "lang": language,
                        "dir": "rtl" if get_language_info(language)["bidi"] else "ltr",
                    }
                ),
            )
        self.translations = list(translations)

    def details(self) -> workflow.SignOffDetails:
        """The sign-off as the workflow takes it (call after `is_valid()`)."""
        data = self.cleaned_data
        return workflow.SignOffDetails(
            name=data["name"],
            title=data["title"],
            ministry=data["ministry"],
            statement=data["statement"],
            reviewed_hash=data["reviewed_hash"],
            statement_translations={
                language: data.get(f"statement_{language}", "") for language in self.translations
            },
        )


class PublishForm(forms.Form):
    """Publish now, or at an agreed embargo time (nothing is public before it)."""

    release_at = forms.DateTimeField(
        label=_("Release at (UTC)"),
        required=False,
        help_text=_("Leave empty to publish now; a later time is an embargo."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


class CommentForm(forms.Form):
    """A ministry's comment on one indicator during the consultation."""

    indicator = forms.TypedChoiceField(label=_("Indicator"), coerce=int)
    ministry = forms.CharField(label=_("Ministry or agency"), max_length=200)
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, indicator_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicator_choices


class ResolveForm(forms.Form):
    """Staff's resolution of a consultation comment."""

    resolution = forms.ChoiceField(
        label=_("Resolution"),
        choices=[(Resolution.ACCEPTED, _("Accept")), (Resolution.DECLINED, _("Decline"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason or note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when declining."),
    )


TRANSLATION_LANGUAGES = dict(LANGUAGE_CHOICES)


class TranslationForm(forms.Form):
    """One text field per translatable original text, keyed by its content key.

    `states` says for each key whether its translation is current, stale or missing
    (`profiles.content.field_states`), for the page to show beside each field.
    """

    opened_revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        originals: dict[str, str],
        existing: dict[str, str],
        states: dict[str, str],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.originals = originals
        self.states = states
        self.keys = {}
        for index, (key, original) in enumerate(originals.items()):
            name = f"text_{index}"
            self.keys[name] = key
            self.fields[name] = forms.CharField(
                label=key,
                required=False,
                initial=existing.get(key, ""),
                widget=forms.Textarea(attrs={"rows": 2 if len(original) < 200 else 5}),
            )

    def rows(self):
        """(key, original text, bound field, state) for each text, in content order."""
        return [
            (key, self.originals[key], self[name], self.states[key])
            for name, key in self.keys.items()
        ]

    def texts(self) -> dict[str, str]:
        """The non-empty translations, by content key."""
        return {
            key: self.cleaned_data[name].strip()
            for name, key in self.keys.items()
            if self.cleaned_data[name].strip()
        }


def group_by(items, key) -> dict:
    """A dict of lists, in the order items come."""
    grouped = defaultdict(list)
    for item in items:
        grouped[key(item)].append(item)
    return grouped
