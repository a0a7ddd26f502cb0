"""Governments and the live publications listed under them."""

from django.urls import reverse
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from profiles import regions
from profiles.api.serializers.common import absolute
from profiles.models import Government, Publication

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
        return absolute(
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
        return absolute(self.context.get("request"), obj.get_absolute_url())
