from .applications import Application, PaymentStatus, Section, Track
from .projects import ExamKind, ExamProject, Level, Specialty, TcmCategory

__all__ = [
    "Application",
    "ExamKind",
    "ExamProject",
    "Level",
    "PaymentStatus",
    "Section",
    "Specialty",
    "TcmCategory",
    "Track",
]
