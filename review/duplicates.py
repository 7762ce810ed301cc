"""查重 on the review side: the flags of one application's detail page, and the rows of the
查重 list (review/admin/duplicates.py), both scoped by the one visibility rule
(review.selectors.application_list): the other side of a pair is named, linked and its file
shown only to a viewer who may open that application; anyone else learns only that a match
exists outside their scope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from exam.duplicates.files import MATERIAL_KINDS
from exam.duplicates.models import FileFingerprint, Match, MatchKind
from exam.models import Application
from people.permissions import Perm, institutions_with_perm
from review.selectors import User, application_list, application_visibility

FILE_KINDS = (MatchKind.FILE_SAME, MatchKind.FILE_NEAR)
FILE_REF_KINDS = {"attachment", *MATERIAL_KINDS}  # a ref's kind is find_file's link kind
PASSAGES_SHOWN = 3


@dataclass
class Side:
    """One side of a match: its item, and its application when the viewer may see it."""

    ref: str
    label: str
    application: Application | None
    file_url: str = ""
    is_image: bool = False
    url: str = ""


@dataclass
class Flag:
    match: Match
    mine: Side
    other: Side
    passages: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_file(self) -> bool:
        return self.match.kind in FILE_KINDS


@dataclass
class DuplicateFlags:
    flags: list[Flag]
    hidden: int  # matches whose other application the viewer may not see

    @property
    def hidden_text(self) -> str:
        return f"另有 {self.hidden} 份相同/相似材料在您的审核范围之外" if self.hidden else ""


def _file_url(application_id: int, ref: str) -> str:
    kind, _, obj_id = ref.partition(":")
    if not obj_id.isdigit():
        return ""
    return reverse("admin:review_reviewapplication_file", args=[application_id, kind, int(obj_id)])


def _side(ref: str, label: str, application: Application | None, images: set[str]) -> Side:
    side = Side(ref=ref, label=label, application=application)
    if application is not None:
        side.url = reverse("admin:review_reviewapplication_change", args=[application.pk])
        if ref.split(":", 1)[0] in FILE_REF_KINDS:
            side.file_url = _file_url(application.pk, ref)
            side.is_image = ref in images
    return side


def _passages(match: Match, *, swapped: bool) -> list[tuple[str, str]]:
    rows = (match.detail or {}).get("passages") or []
    pairs = [(str(p[0]), str(p[1])) for p in rows[:PASSAGES_SHOWN] if len(p) == 2]
    return [(b, a) for a, b in pairs] if swapped else pairs


def matches_of(application: Application) -> QuerySet[Match]:
    return Match.objects.filter(
        Q(application=application) | Q(other_application=application)
    ).order_by("-similarity", "pk")


def with_duplicate_mark(applications: QuerySet[Application]) -> QuerySet[Application]:
    """`has_duplicates` on each row, inside the query that fetches it: the detail page of an
    application without matches (nearly all) spends no query on 查重."""
    pairs = Match.objects.filter(
        Q(application=OuterRef("pk")) | Q(other_application=OuterRef("pk"))
    )
    return applications.annotate(has_duplicates=Exists(pairs))


def duplicate_flags(*, user: User, application: Application) -> DuplicateFlags:
    """The 查重 flags of `application` for `user` (who may see `application` itself)."""
    if getattr(application, "has_duplicates", True) is False:  # with_duplicate_mark said so
        return DuplicateFlags(flags=[], hidden=0)
    matches = list(matches_of(application))
    if not matches:
        return DuplicateFlags(flags=[], hidden=0)
    others = {
        m.other_application_id if m.application_id == application.pk else m.application_id
        for m in matches
    }
    visible = {
        a.pk: a
        for a in application_list(user=user, business=None)
        .filter(pk__in=others)
        .select_related("candidate", "current_institution", "entry_institution")
    }
    refs = {r for m in matches for r in (m.ref, m.other_ref)}
    images = set(
        FileFingerprint.objects.filter(ref__in=refs).exclude(phash="").values_list("ref", flat=True)
    )
    flags, hidden = [], 0
    for match in matches:
        swapped = match.other_application_id == application.pk
        mine_ref, mine_label = (
            (match.other_ref, match.other_label) if swapped else (match.ref, match.label)
        )
        other_ref, other_label = (
            (match.ref, match.label) if swapped else (match.other_ref, match.other_label)
        )
        other_id = match.application_id if swapped else match.other_application_id
        other = visible.get(other_id)
        if other is None:
            hidden += 1
            continue
        flags.append(
            Flag(
                match=match,
                mine=_side(mine_ref, mine_label, application, images),
                other=_side(other_ref, other_label, other, images),
                passages=_passages(match, swapped=swapped),
            )
        )
    return DuplicateFlags(flags=flags, hidden=hidden)


# --- the 查重 list ---------------------------------------------------------------------------


def match_list(*, user: User, held: Mapping[int, str] | None = None) -> QuerySet[Match]:
    """Every pair with at least one side the user may see (any project)."""
    condition = application_visibility(
        user, permission=Perm.REVIEW, scope="subtree", business=None, held=held
    )
    if condition is None:
        return Match.objects.all()
    visible = Application.objects.filter(condition).values("pk")
    return Match.objects.filter(Q(application__in=visible) | Q(other_application__in=visible))


def visible_ids(*, user: User, application_ids: set[int]) -> set[int]:
    """Which of these applications the user may open (one query per page of the list)."""
    return set(
        application_list(user=user, business=None)
        .filter(pk__in=application_ids)
        .values_list("pk", flat=True)
    )


def match_detail_text(match: Match) -> str:
    """What the list shows of `detail`: the bits apart, or the first passage pair."""
    detail: dict[str, Any] = match.detail or {}
    if "distance" in detail:
        return f"感知哈希相差 {detail['distance']} 位（共 64 位）"
    passages = detail.get("passages") or []
    if passages and len(passages[0]) == 2:
        mine, other = (str(p)[:60] for p in passages[0])
        return f"“{mine}” ↔ “{other}”"
    return "文件内容完全相同" if match.kind == MatchKind.FILE_SAME else ""


LIST_TIERS = ("province", "city")  # the 查重 list is for provincial and city staff


def may_list_duplicates(user: User, held: Mapping[int, str] | None = None) -> bool:
    """审核 held at a province or city institution (or the superuser)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    if held is None:
        held = dict(institutions_with_perm(user, Perm.REVIEW).values_list("id", "tier"))
    return any(tier in LIST_TIERS for tier in held.values())


SIMILARITY_BANDS = {
    "90": ("≥ 90%", Q(similarity__gte=90)),
    "80": ("80–89%", Q(similarity__gte=80, similarity__lt=90)),
    "lt80": ("< 80%", Q(similarity__lt=80)),
}


def match_list_filter(queryset: QuerySet[Match], params: Mapping[str, Any]) -> QuerySet[Match]:
    """The list's filters (类型, 相似度), read from its URL parameters (the export too)."""
    kind = params.get("kind")
    if kind in MatchKind.values:
        queryset = queryset.filter(kind=kind)
    band = SIMILARITY_BANDS.get(str(params.get("similarity") or ""))
    if band is not None:
        queryset = queryset.filter(band[1])
    return queryset
