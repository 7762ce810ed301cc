from .candidates import Candidate, Gender, IdentityVerification, IdType
from .imports import ImportLog
from .institutions import (
    Institution,
    InstitutionGroupObjectPermission,
    InstitutionUserObjectPermission,
    ReviewerMembership,
)
from .notifications import Notification, NotificationKind
from .preferences import ReviewerPreference
from .reference import Division, EducationLevel, Ethnicity, PoliticalStatus
from .registry import Physician
from .sms import SmsMessage, SmsPurpose

__all__ = [
    "Candidate",
    "Division",
    "EducationLevel",
    "Ethnicity",
    "Gender",
    "IdType",
    "IdentityVerification",
    "ImportLog",
    "Institution",
    "InstitutionGroupObjectPermission",
    "InstitutionUserObjectPermission",
    "Notification",
    "NotificationKind",
    "Physician",
    "PoliticalStatus",
    "ReviewerMembership",
    "ReviewerPreference",
    "SmsMessage",
    "SmsPurpose",
]
