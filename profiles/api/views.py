"""Read-only API v1. Every queryset starts from live publications (or reference data).

Views are thin: a selector-like `get_queryset()` that loads what the serializer
reads in a fixed number of queries, a FilterSet, and a serializer. Responses are
built under English so names of countries never depend on the caller's browser.
"""

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from indicators.models import (
    Area,
    Dimension,
    Framework,
    FrameworkStatus,
    GCMObjective,
    Indicator,
    SDGDomain,
)
from profiles import content as profile_content
from profiles.api import filters, serializers
from profiles.api.pagination import KeysetPagination
from profiles.models import Government, Publication, PublishedAnswer, PublishedFinding

LANGUAGES = [code for code, _name in settings.LANGUAGES]


class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only, anonymous, English names."""

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        """Refuse a parameter given twice: none is a list, and Django would keep the last."""
        super().initial(request, *args, **kwargs)
        repeated = sorted(name for name, values in request.query_params.lists() if len(values) > 1)
        if repeated:
            raise ValidationError({name: ["Give this parameter once."] for name in repeated})


def live_publications() -> QuerySet[Publication]:
    """Live publications with what every representation reads, without the big content."""
    return Publication.objects.live().select_related("government", "framework")


class GovernmentViewSet(PublicViewSet):
    """Governments with at least one live publication, each with its live publications."""

    serializer_class = serializers.GovernmentSerializer
    filterset_class = filters.GovernmentFilter
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Government]:
        publications = (
            Publication.objects.live()
            .select_related("framework")
            .only(
                "id",
                "government_id",
                "year",
                "round_number",
                "version",
                "framework__slug",
                "release_at",
            )
            .order_by("-year", "-version")
        )
        return (
            Government.objects.with_live_publication()
            .order_by("level", "slug")
            .prefetch_related(
                Prefetch("publications", queryset=publications, to_attr="live_publications")
            )
        )


class FrameworkViewSet(PublicViewSet):
    """Framework versions (not drafts); the detail nests dimensions, areas and indicators."""

    filterset_fields = ["level", "status"]
    lookup_field = "slug"

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.FrameworkDetailSerializer
        return serializers.FrameworkSerializer

    def get_queryset(self) -> QuerySet[Framework]:
        queryset = (
            Framework.objects.exclude(status=FrameworkStatus.DRAFT)
            .select_related("previous")
            .annotate(indicator_count=Count("indicators"))
            .order_by("level", "year")
        )
        if self.action == "retrieve":
            indicators = (
                Indicator.objects.order_by("position")
                .select_related("equivalent__framework")
                .prefetch_related("gcm_objectives", "sdg_domains")
            )
            areas = Area.objects.order_by("position").prefetch_related(
                Prefetch("indicators", queryset=indicators)
            )
            dimensions = Dimension.objects.order_by("code").prefetch_related(
                Prefetch("areas", queryset=areas)
            )
            queryset = queryset.prefetch_related(Prefetch("dimensions", queryset=dimensions))
        return queryset


class GCMObjectiveViewSet(PublicViewSet):
    """The 23 objectives of the Global Compact for Migration that indicators map to."""

    serializer_class = serializers.GCMObjectiveSerializer
    queryset = GCMObjective.objects.order_by("number")
    lookup_field = "number"
    pagination_class = None


class SDGDomainViewSet(PublicViewSet):
    """The policy domains of SDG indicator 10.7.2 that indicators map to."""

    serializer_class = serializers.SDGDomainSerializer
    queryset = SDGDomain.objects.order_by("code")
    lookup_field = "code"
    pagination_class = None


@extend_schema_view(
    retrieve=extend_schema(
        parameters=[
            OpenApiParameter(
                "language",
                OpenApiTypes.STR,
                enum=LANGUAGES,
                description=(
                    "Texts in this language where a validated translation exists, else in "
                    "the original language. Without it, the best match of the request's "
                    "`Accept-Language` header is used. The answer's `language` field and "
                    "`Content-Language` header say which language the texts are in."
                ),
            )
        ]
    )
)
class PublicationViewSet(PublicViewSet):
    """Live publications; the detail has the frozen answers, findings, sources and figures."""

    filterset_class = filters.PublicationFilter

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.PublicationDetailSerializer
        return serializers.PublicationSerializer

    def get_queryset(self) -> QuerySet[Publication]:
        queryset = live_publications().order_by("government__slug", "-year", "-version")
        if self.action != "retrieve":
            queryset = queryset.defer("content")
        return queryset

    def get_object(self) -> Publication:
        requested = self.request.query_params.get("language")
        if requested is not None and requested not in LANGUAGES:
            raise ValidationError({"language": [f"One of: {', '.join(LANGUAGES)}."]})
        publication = super().get_object()
        original = publication.content.get("original_language", "en")
        available = [original, *publication.content.get("translations", {})]
        wanted = requested or _accepted_language(self.request, available) or original
        if wanted not in available:
            wanted = original
        content, complete = profile_content.localized(publication.content, wanted)
        publication.api_content = content
        publication.api_language = wanted
        publication.api_fully_translated = complete
        return publication

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.action == "retrieve" and response.status_code == 200:
            response["Content-Language"] = response.data["language"]
            patch_vary_headers(response, ["Accept-Language"])
        return response


def _accepted_language(request, available: list[str]) -> str | None:
    """The first language of `Accept-Language` (by weight) the publication is available in."""
    for code, _weight in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        base = code.split("-")[0].lower()
        if base in available:
            return base
    return None


#: What `serializers.PublicationRowSerializer` reads of a row's publication. Loading the
#: whole publication decoded its frozen content and timeline for every row: 90 ms of a
#: 50-row page of findings.
ROW_COLUMNS = (
    "id",
    "publication__id",
    "publication__year",
    "publication__round_number",
    "publication__version",
    "publication__government__slug",
    "publication__government__level",
    "publication__framework__slug",
)


def live_rows(model: type[PublishedAnswer] | type[PublishedFinding]) -> QuerySet:
    """The flat rows (answers or findings) of live publications, with their publication's keys."""
    return model.objects.filter(
        publication__in=Publication.objects.live().values("pk")
    ).select_related("publication__government", "publication__framework")


class AnswerViewSet(PublicViewSet):
    """Every published answer as a flat row (filter by dimension, indicator, answer, ...).

    Paged by cursor, publication after publication (`pagination.KeysetPagination`): the
    rows of every live publication are too many to count or to skip by offset.
    """

    serializer_class = serializers.AnswerSerializer
    filterset_class = filters.AnswerFilter
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet[PublishedAnswer]:
        return (
            live_rows(PublishedAnswer)
            .select_related("indicator__area__dimension")
            .only(
                *ROW_COLUMNS,
                "value",
                "indicator__code",
                "indicator__area__code",
                "indicator__area__dimension__code",
            )
        )


class FindingViewSet(PublicViewSet):
    """Every published finding; `good_practice=true` gives the good-practice examples.

    Paged by cursor like the answers (`pagination.KeysetPagination`): about a dozen
    findings a publication made a COUNT over every live one cost 45 ms at 10,000
    governments x 3 rounds, and an OFFSET grows with the page number.
    """

    serializer_class = serializers.FindingSerializer
    filterset_class = filters.FindingFilter
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet[PublishedFinding]:
        return live_rows(PublishedFinding).only(
            *ROW_COLUMNS, "dimension_code", "kind", "position", "text", "is_good_practice"
        )
