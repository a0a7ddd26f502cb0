"""API representations.

Field names are stable snake_case English; changing one is a new API version.

Publication content comes from the frozen `Publication.content` dict (what the
government validated), never from assessments. Names of countries are English
whatever the request's language, so the same query always returns the same data.
"""

from django.urls import reverse
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.models import Area, Dimension, Framework, GCMObjective, Indicator, SDGDomain
from profiles import regions
from profiles.models import Government, Publication, PublishedAnswer, PublishedFinding


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


# --- Governments ---------------------------------------------------------------------


class PublicationSummarySerializer(serializers.ModelSerializer):
    """A live publication as listed under its government."""

    round = serializers.IntegerField(source="round_number")
    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Publication
        fields = ["id", "year", "round", "version", "framework", "release_at", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Publication) -> str:
        return _absolute(
            self.context.get("request"), reverse("api:publication-detail", args=[obj.pk])
        )


class GovernmentSerializer(serializers.ModelSerializer):
    """A government with at least one live publication."""

    name = serializers.SerializerMethodField()
    country = serializers.CharField(source="country.code")
    country_iso3 = serializers.SerializerMethodField()
    region_code = serializers.SerializerMethodField()
    region = serializers.SerializerMethodField()
    subregion_code = serializers.SerializerMethodField()
    subregion = serializers.SerializerMethodField()
    profile_url = serializers.SerializerMethodField()
    publications = PublicationSummarySerializer(source="live_publications", many=True)

    class Meta:
        model = Government
        fields = [
            "slug",
            "level",
            "kind",
            "name",
            "country",
            "country_iso3",
            "region_code",
            "region",
            "subregion_code",
            "subregion",
            "profile_url",
            "publications",
        ]

    def get_name(self, obj: Government) -> str:
        return obj.name or str(countries.name(obj.country.code))

    def get_country_iso3(self, obj: Government) -> str:
        return countries.alpha3(obj.country.code) or ""

    @staticmethod
    def _region(obj: Government, field: str) -> str:
        """One field of the country's M49 region (stable English names), or ''."""
        region = regions.of_country(obj.country.code)
        return getattr(region, field) if region else ""

    def get_region_code(self, obj: Government) -> str:
        return self._region(obj, "region_code")

    def get_region(self, obj: Government) -> str:
        return self._region(obj, "region")

    def get_subregion_code(self, obj: Government) -> str:
        return self._region(obj, "subregion_code")

    def get_subregion(self, obj: Government) -> str:
        return self._region(obj, "subregion")

    @extend_schema_field(OpenApiTypes.URI)
    def get_profile_url(self, obj: Government) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())


# --- Frameworks ----------------------------------------------------------------------


class GCMObjectiveSerializer(serializers.ModelSerializer):
    """A Global Compact for Migration objective (1..23)."""

    translations = serializers.JSONField(source="i18n")

    class Meta:
        model = GCMObjective
        fields = ["number", "title", "translations"]


class SDGDomainSerializer(serializers.ModelSerializer):
    """A policy domain of SDG indicator 10.7.2."""

    translations = serializers.JSONField(source="i18n")

    class Meta:
        model = SDGDomain
        fields = ["code", "name", "translations"]


class EquivalentSerializer(serializers.ModelSerializer):
    """The equivalent indicator in the previous framework version."""

    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Indicator
        fields = ["framework", "code"]


class IndicatorSerializer(serializers.ModelSerializer):
    """An indicator with its GCM and SDG 10.7.2 mappings and its equivalent."""

    gcm_objectives = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    sdg_domains = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    equivalent = EquivalentSerializer(allow_null=True)
    translations = serializers.JSONField(source="i18n")

    class Meta:
        model = Indicator
        fields = [
            "code",
            "question",
            "guidance",
            "answer_scale",
            "gcm_objectives",
            "sdg_domains",
            "equivalent",
            "retired_at",
            "translations",
        ]


class AreaSerializer(serializers.ModelSerializer):
    """An area (sub-dimension) and its indicators."""

    indicators = IndicatorSerializer(many=True)
    translations = serializers.JSONField(source="i18n")

    class Meta:
        model = Area
        fields = ["code", "name", "translations", "indicators"]


class DimensionSerializer(serializers.ModelSerializer):
    """One of the six MGI dimensions, with its areas."""

    areas = AreaSerializer(many=True)
    translations = serializers.JSONField(source="i18n")

    class Meta:
        model = Dimension
        fields = [
            "code",
            "short_name",
            "long_name",
            "migof_element",
            "description",
            "translations",
            "areas",
        ]


class FrameworkSerializer(serializers.ModelSerializer):
    """A framework version, without its indicators."""

    previous = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    indicator_count = serializers.IntegerField()
    url = serializers.HyperlinkedIdentityField(
        view_name="api:framework-detail", lookup_field="slug"
    )

    class Meta:
        model = Framework
        fields = [
            "slug",
            "name",
            "level",
            "version",
            "year",
            "status",
            "previous",
            "wording_note",
            "indicator_count",
            "url",
        ]


class FrameworkDetailSerializer(FrameworkSerializer):
    """A framework version with dimensions, areas, indicators and mappings."""

    dimensions = DimensionSerializer(many=True)

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "dimensions"]


# --- Publications (frozen content) ---------------------------------------------------


class PublicationSerializer(serializers.ModelSerializer):
    """A live publication: one numbered, validated version of a government's profile."""

    government = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    government_name = serializers.SerializerMethodField()
    level = serializers.CharField(source="government.level")
    country_iso3 = serializers.SerializerMethodField()
    round = serializers.IntegerField(source="round_number")
    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    framework_version = serializers.CharField(source="framework.version")
    original_language = serializers.CharField()
    permalink = serializers.SerializerMethodField()
    csv_url = serializers.SerializerMethodField()
    json_url = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(view_name="api:publication-detail")

    class Meta:
        model = Publication
        fields = [
            "id",
            "government",
            "government_name",
            "level",
            "country_iso3",
            "year",
            "round",
            "version",
            "framework",
            "framework_version",
            "is_sample",
            "release_at",
            "original_language",
            "languages",
            "content_hash",
            "permalink",
            "csv_url",
            "json_url",
            "url",
        ]

    def get_government_name(self, obj: Publication) -> str:
        return obj.government.name or str(countries.name(obj.government.country.code))

    def get_country_iso3(self, obj: Publication) -> str:
        return countries.alpha3(obj.government.country.code) or ""

    def _link(self, name: str, obj: Publication) -> str:
        kwargs = {"slug": obj.government.slug, "year": obj.year, "version": obj.version}
        return _absolute(self.context.get("request"), reverse(name, kwargs=kwargs))

    @extend_schema_field(OpenApiTypes.URI)
    def get_permalink(self, obj: Publication) -> str:
        return self._link("profiles:version", obj)

    @extend_schema_field(OpenApiTypes.URI)
    def get_csv_url(self, obj: Publication) -> str:
        return self._link("profiles:version_csv", obj)

    @extend_schema_field(OpenApiTypes.URI)
    def get_json_url(self, obj: Publication) -> str:
        return self._link("profiles:version_json", obj)


class ContentFindingSerializer(serializers.Serializer):
    """A finding of a dimension: a well-developed area or one with potential."""

    kind = serializers.CharField()
    text = serializers.CharField()
    is_good_practice = serializers.BooleanField()


class ContentAnswerSerializer(serializers.Serializer):
    """An indicator's answer as published."""

    code = serializers.CharField()
    question = serializers.CharField()
    gcm_objectives = serializers.ListField(child=serializers.IntegerField())
    sdg_domains = serializers.ListField(child=serializers.IntegerField())
    equivalent = serializers.CharField(allow_null=True)
    answer = serializers.CharField(allow_blank=True)
    justification = serializers.CharField(allow_blank=True)
    evidence = serializers.CharField(allow_blank=True)
    sources = serializers.ListField(child=serializers.IntegerField())


class ContentAreaSerializer(serializers.Serializer):
    """An area of a dimension as published, with its answers."""

    code = serializers.CharField()
    name = serializers.CharField()
    answers = ContentAnswerSerializer(source="indicators", many=True)


class ContentDimensionSerializer(serializers.Serializer):
    """A dimension as published: findings and areas with answers."""

    code = serializers.IntegerField()
    short_name = serializers.CharField()
    long_name = serializers.CharField()
    findings = ContentFindingSerializer(many=True)
    areas = ContentAreaSerializer(many=True)


class ContentSourceSerializer(serializers.Serializer):
    """A law, policy or agreement cited as evidence."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    issuer = serializers.CharField(allow_blank=True)
    year = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(allow_blank=True)


class ContentFigureSerializer(serializers.Serializer):
    """A context figure (migrant stock, remittances, ...) with year and source."""

    kind = serializers.CharField()
    label = serializers.CharField(allow_blank=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=True)
    unit = serializers.CharField()
    year = serializers.IntegerField()
    source = serializers.CharField()
    source_url = serializers.CharField(allow_blank=True)


class ContentFollowUpSerializer(serializers.Serializer):
    """Progress on a finding of the previous round."""

    dimension = serializers.IntegerField()
    finding = serializers.CharField()
    progress = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


class TimelineEventSerializer(serializers.Serializer):
    """A dated milestone of the round (launched, consultation, validated, published)."""

    event = serializers.CharField()
    date = serializers.DateField()


class PublicationDetailSerializer(PublicationSerializer):
    """A live publication with its frozen content, in the requested language where translated."""

    language = serializers.CharField(source="api_language")
    fully_translated = serializers.BooleanField(source="api_fully_translated")
    introduction = serializers.CharField(source="api_content.introduction")
    summary = serializers.CharField(source="api_content.summary")
    timeline = TimelineEventSerializer(many=True)
    dimensions = ContentDimensionSerializer(source="api_content.dimensions", many=True)
    sources = ContentSourceSerializer(source="api_content.sources", many=True)
    context_figures = ContentFigureSerializer(source="api_content.context_figures", many=True)
    follow_ups = ContentFollowUpSerializer(source="api_content.follow_ups", many=True)

    class Meta(PublicationSerializer.Meta):
        fields = [
            *PublicationSerializer.Meta.fields,
            "language",
            "fully_translated",
            "introduction",
            "summary",
            "timeline",
            "dimensions",
            "sources",
            "context_figures",
            "follow_ups",
        ]


# --- Flat rows -----------------------------------------------------------------------


class PublicationRowSerializer(serializers.ModelSerializer):
    """The publication columns every flat row (answer, finding) starts with."""

    publication = serializers.PrimaryKeyRelatedField(read_only=True)
    government = serializers.CharField(source="publication.government.slug")
    level = serializers.CharField(source="publication.government.level")
    year = serializers.IntegerField(source="publication.year")
    round = serializers.IntegerField(source="publication.round_number")
    version = serializers.IntegerField(source="publication.version")
    framework = serializers.CharField(source="publication.framework.slug")

    class Meta:
        fields = ["publication", "government", "level", "year", "round", "version", "framework"]


class AnswerSerializer(PublicationRowSerializer):
    """One published answer, as a flat row for filtering and counting."""

    dimension_code = serializers.IntegerField(source="indicator.area.dimension.code")
    area_code = serializers.CharField(source="indicator.area.code")
    indicator_code = serializers.CharField(source="indicator.code")
    answer = serializers.CharField(source="value")

    class Meta:
        model = PublishedAnswer
        fields = [
            *PublicationRowSerializer.Meta.fields,
            "dimension_code",
            "area_code",
            "indicator_code",
            "answer",
        ]


class FindingSerializer(PublicationRowSerializer):
    """One published finding, as a flat row."""

    class Meta:
        model = PublishedFinding
        fields = [
            *PublicationRowSerializer.Meta.fields,
            "dimension_code",
            "kind",
            "position",
            "text",
            "is_good_practice",
        ]
