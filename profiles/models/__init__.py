"""Governments, their assessments, and the publications made from them.

Data flows one way: an Assessment (editable while a draft) is validated by its
government (SignOff, which records the hash of the exact content validated) and
frozen into a Publication. Public pages, PDFs, exports and the API read
publications only, never assessments, so nothing unpublished can leak through a
forgotten filter. Only `profiles.workflow` changes an assessment's status.

One module per part of that flow; this package re-exports them all, as Django
and the migrations expect (`profiles.models.Assessment`).

May import: indicators.models, profiles.regions. Nothing else of profiles.
"""

from profiles.models.assessments import (
    EDITABLE_STATUSES,
    LANGUAGE_CHOICES,
    Assessment,
    AssessmentQuerySet,
    AssessmentStatus,
)
from profiles.models.governments import (
    Government,
    GovernmentQuerySet,
    GovernmentRole,
    LocalKind,
    Membership,
)
from profiles.models.parts import (
    Answer,
    AnswerValue,
    ContentTranslation,
    ContextFigure,
    FigureKind,
    Finding,
    FindingKind,
    FollowUp,
    ProgressStatus,
    Source,
    SourceKind,
    archived_copy_path,
)
from profiles.models.publications import (
    FileKind,
    Publication,
    PublicationFile,
    PublicationQuerySet,
    PublishedAnswer,
    PublishedFinding,
    publication_file_path,
)
from profiles.models.records import (
    ConsultationComment,
    Resolution,
    SignOff,
    StatusChange,
)
from profiles.models.search import PublicationSearch
from profiles.models.tallies import AnswerTally, NewestPublication

__all__ = [
    "EDITABLE_STATUSES",
    "LANGUAGE_CHOICES",
    "Answer",
    "AnswerTally",
    "AnswerValue",
    "Assessment",
    "AssessmentQuerySet",
    "AssessmentStatus",
    "ConsultationComment",
    "ContentTranslation",
    "ContextFigure",
    "FigureKind",
    "FileKind",
    "Finding",
    "FindingKind",
    "FollowUp",
    "Government",
    "GovernmentQuerySet",
    "GovernmentRole",
    "LocalKind",
    "Membership",
    "NewestPublication",
    "ProgressStatus",
    "Publication",
    "PublicationFile",
    "PublicationQuerySet",
    "PublicationSearch",
    "PublishedAnswer",
    "PublishedFinding",
    "Resolution",
    "SignOff",
    "Source",
    "SourceKind",
    "StatusChange",
    "archived_copy_path",
    "publication_file_path",
]
