from .applications import Application, PaymentStatus, Section, Track
from .eligibility import EligibilityResult, EligibilityRuleSet
from .materials import (
    MATERIAL_MODELS,
    EducationRecord,
    MajorType,
    Material,
    NurseLicense,
    PhysicianLicense,
    PhysicianQualification,
    StudyForm,
    SupplementaryInfo,
    TitleCertificate,
    VerificationStatus,
)
from .projects import ExamKind, ExamProject, Level, Specialty, TcmCategory
from .reviews import TierReview
from .tcm import Attachment, CaseRecord, Recommender, RecommenderCode
from .uploads import StagedUpload

__all__ = [
    "MATERIAL_MODELS",
    "Attachment",
    "CaseRecord",
    "EducationRecord",
    "EligibilityResult",
    "EligibilityRuleSet",
    "MajorType",
    "Material",
    "NurseLicense",
    "PhysicianLicense",
    "PhysicianQualification",
    "Recommender",
    "RecommenderCode",
    "StudyForm",
    "SupplementaryInfo",
    "TierReview",
    "TitleCertificate",
    "VerificationStatus",
    "Application",
    "ExamKind",
    "ExamProject",
    "Level",
    "PaymentStatus",
    "Section",
    "Specialty",
    "StagedUpload",
    "TcmCategory",
    "Track",
]
