"""API representations.

Field names are stable snake_case English; changing one is a new API version.

Publication content comes from the frozen `Publication.content` dict (what the
government validated), never from assessments. Names of countries are English
whatever the request's language, so the same query always returns the same data.
"""

from profiles.api.serializers.frameworks import (
    FrameworkDetailSerializer,
    FrameworkSerializer,
    GCMObjectiveSerializer,
    SDGDomainSerializer,
)
from profiles.api.serializers.governments import GovernmentSerializer
from profiles.api.serializers.publications import (
    PublicationDetailSerializer,
    PublicationSerializer,
)
from profiles.api.serializers.rows import AnswerSerializer, FindingSerializer

__all__ = [
    "AnswerSerializer",
    "FindingSerializer",
    "FrameworkDetailSerializer",
    "FrameworkSerializer",
    "GCMObjectiveSerializer",
    "GovernmentSerializer",
    "PublicationDetailSerializer",
    "PublicationSerializer",
    "SDGDomainSerializer",
]
