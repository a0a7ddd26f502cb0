"""Flat rows: one per published answer or finding, for filtering and export."""

from rest_framework import serializers

from profiles.models import PublishedAnswer, PublishedFinding

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
