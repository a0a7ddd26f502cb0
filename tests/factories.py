"""Factories for tests. Status changes go through `profiles.workflow`, as in production."""

import dataclasses

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import TestCase

from indicators.models import Framework, Indicator
from profiles import roles, workflow
from profiles.models import (
    Answer,
    AnswerValue,
    Assessment,
    Finding,
    FindingKind,
    Government,
    Membership,
)
from profiles.workflow import signoff

NATIONAL = "mgi-national-2022"
LOCAL = "mgi-local-2019"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")


class GovernmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Government
        django_get_or_create = ("slug",)

    level = "national"
    kind = "national"
    country = "CL"
    name = ""
    slug = factory.LazyAttribute(
        lambda g: Government.make_slug(country_code=str(g.country), name=g.name)
    )


class LocalGovernmentFactory(GovernmentFactory):
    level = "local"
    kind = "city"
    name = "Santiago"


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    government = factory.SubFactory(GovernmentFactory)
    framework = factory.LazyAttribute(
        lambda a: Framework.objects.get(
            slug=NATIONAL if a.government.level == "national" else LOCAL
        )
    )
    year = 2024
    introduction = "Introduction text."
    summary = "Summary text."


def official(government: Government, *, role: str, username: str):
    """A government official holding `role` for `government`."""
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=roles.GOVERNMENT_OFFICIALS))
    Membership.objects.create(user=user, government=government, role=role)
    return user


def answer_all(
    assessment: Assessment, value: str = AnswerValue.FULLY, text: str = "Because."
) -> None:
    """Answer every indicator of the assessment's framework."""
    Answer.objects.bulk_create(
        Answer(assessment=assessment, indicator=indicator, value=value, justification=text)
        for indicator in Indicator.objects.filter(framework=assessment.framework).current()
    )
    dimension = assessment.framework.dimensions.get(code=1)
    Finding.objects.create(
        assessment=assessment,
        dimension=dimension,
        kind=FindingKind.WELL_DEVELOPED,
        text="Health services are open to all migrants.",
        is_good_practice=True,
    )
    Finding.objects.create(
        assessment=assessment,
        dimension=dimension,
        kind=FindingKind.POTENTIAL,
        text="Family reunification rules could be clearer.",
    )


SIGN_OFF = workflow.SignOffDetails(
    name="Ana Validator",
    title="Director",
    ministry="Ministry of the Interior",
    statement="The government validates this profile.",
    reviewed_hash="",
)


def sign_off_for(
    assessment: Assessment, *, details: workflow.SignOffDetails | None = None
) -> workflow.SignOffDetails:
    """`details` (default SIGN_OFF) naming the hash the validator's page would show now."""
    return dataclasses.replace(details or SIGN_OFF, reviewed_hash=signoff.current_hash(assessment))


def published(assessment: Assessment, *, staff, validator, release_at=None) -> Assessment:
    """Walk a fully answered assessment through the workflow to publication."""
    if not assessment.answers.exists():
        answer_all(assessment)
    workflow.apply(workflow.SHARE, assessment, by=staff)
    workflow.apply(workflow.SUBMIT, assessment, by=staff)
    workflow.apply(workflow.VALIDATE, assessment, by=validator, sign_off=sign_off_for(assessment))
    # Run the after-commit rendering now, as it runs after a real request's commit.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return workflow.apply(workflow.PUBLISH, assessment, by=staff, release_at=release_at)
