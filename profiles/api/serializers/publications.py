"""Publications and their frozen content (what the government validated)."""

from django.urls import reverse
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from profiles.api.serializers.common import absolute
from profiles.models import Publication

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
        return absolute(self.context.get("request"), reverse(name, kwargs=kwargs))

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
