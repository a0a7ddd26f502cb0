"""Framework versions with their dimensions, areas, indicators and mappings."""

from rest_framework import serializers

from indicators.models import Area, Dimension, Framework, GCMObjective, Indicator, SDGDomain

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
