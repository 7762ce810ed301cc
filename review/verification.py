"""专项信息: batch verification of materials (核验通过 / 核验不通过), all or nothing.

The materials' transitions are the model methods (django-fsm-2); the scope is the review
selector's with the 核验 permission; every changed material gets one audit log row.
"""

from collections.abc import Iterable
from typing import cast

from django.contrib.auth.models import User
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from core.audit import audit_entry, log_actions
from core.errors import ServiceError, atomic_or_conflict
from exam.models import MATERIAL_MODELS, Application, Material, VerificationStatus
from people.audit_actions import entry_data
from people.models import Institution
from people.permissions import Perm, institutions_with_perm
from people.tiers import TIER_ORDER
from review import workflow
from review.selectors import SCOPE_SUBTREE, application_list

# Rows per IN (...) list: well under SQLite's and PostgreSQL's parameter limits.
_BATCH = 1000

# What tells two materials of one application apart in the log (a candidate may have several
# 学历信息): the school, or the certificate's number.
MATERIAL_LOG_DETAIL = {
    "educationrecord": "school",
    "nurselicense": "certificate_no",
    "physicianlicense": "certificate_no",
    "physicianqualification": "certificate_no",
    "titlecertificate": "certificate_no",
}


def _chunks(values: list[int], size: int = _BATCH) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _verifying_institutions(
    *, actor: User, chains: dict[int, tuple]
) -> dict[int, Institution | None]:
    """Per application, the institution in whose name the actor verifies: the lowest tier of
    the application's chain where the actor holds 核验 and the application has arrived.
    None for the superuser, who belongs to no institution."""
    if actor.is_superuser:
        return dict.fromkeys(chains)
    mine = set(institutions_with_perm(actor, Perm.VERIFY).values_list("id", flat=True))
    needed: dict[int, int | None] = {}
    for app_id, chain in chains.items():
        needed[app_id] = next(
            (
                institution_id
                for tier, (institution_id, status) in zip(TIER_ORDER, chain, strict=True)
                if institution_id in mine and status
            ),
            None,
        )
    institutions = Institution.objects.in_bulk({i for i in needed.values() if i is not None})
    return {app_id: institutions.get(i) for app_id, i in needed.items()}


def material_verify_batch(
    *,
    actor: User,
    model: type[Material],
    material_ids: Iterable[int],
    outcome: str,
    remark: str = "",
) -> int:
    """批量核验: set the 核验状态 of many materials of one type to 核验通过 or 核验不通过.

    All or nothing, in one transaction:
    - every material must exist and belong to an application the actor may verify
      (`application_list(permission=Perm.VERIFY, scope="subtree")`), otherwise the whole
      batch is refused;
    - 核验不通过 needs a remark;
    - materials already in the chosen state are left as they are (their earlier remark,
      verifier and time stay; no log row) and are not counted;
    - every other material runs its FSM transition (any illegal one refuses the batch),
      then each source state is written with one UPDATE per 1,000 rows whose row count is
      checked, so a material changed by someone else meanwhile refuses the batch;
    - one audit log row per changed material (material.verified / material.failed), its
      remark the material (学历信息（school）, 护士执业证（number）…) and the 核验备注.

    Returns the number of materials whose state changed.
    """
    rule = workflow.VERIFICATION_OUTCOMES.get(outcome)
    if rule is None:
        raise ServiceError("请选择核验结果：核验通过或核验不通过。")
    remark = (remark or "").strip()
    if rule.remark_required and not remark:
        raise ServiceError(f"选择“{rule.label}”时必须填写核验备注。")
    if len(remark) > 255:
        raise ServiceError("核验备注不能超过 255 个字。")
    # The concrete model of a Material is a Material (checked against the list below).
    concrete = cast(type[Material], model._meta.concrete_model)
    if concrete not in MATERIAL_MODELS:
        raise ServiceError("不支持核验该类材料。")
    try:
        ids = sorted({int(pk) for pk in material_ids})
    except (TypeError, ValueError) as exc:
        raise ServiceError("所选材料编号无效。") from exc
    if not ids:
        raise ServiceError("请先选择要核验的材料。")

    label = concrete.LABEL
    # A registered model always has its model_name.
    detail_field = MATERIAL_LOG_DETAIL.get(concrete._meta.model_name, "")  # type: ignore[arg-type]
    detail = [detail_field] if detail_field else []
    now = timezone.now()
    conflict = f"所选{label}中有材料刚刚已被他人核验，本次未核验任何材料。请刷新页面后重试。"
    with atomic_or_conflict(conflict):
        # Lock the materials (in id order, so concurrent batches queue up, not deadlock).
        materials: list[Material] = []
        for chunk in _chunks(ids):
            materials.extend(
                concrete._default_manager.select_for_update()
                .filter(pk__in=chunk)
                .only("id", "application_id", "verification_status", *detail)
                .order_by("pk")
            )
        missing = len(ids) - len(materials)
        if missing:
            raise ServiceError(f"所选{label}中有 {missing} 条已不存在，未核验任何材料。")

        # Scope: the selector decides, for every application behind the batch.
        app_ids = sorted({m.application_id for m in materials})
        visible = application_list(
            user=actor, business=None, permission=Perm.VERIFY, scope=SCOPE_SUBTREE
        )
        chain_fields = [
            field for tier in TIER_ORDER for field in (f"{tier}_id", f"{tier}_review_status")
        ]
        chains: dict[int, tuple] = {}
        for chunk in _chunks(app_ids):
            for pk, *values in visible.filter(pk__in=chunk).values_list("pk", *chain_fields):
                chains[pk] = tuple(zip(values[::2], values[1::2], strict=True))
        outside = sum(1 for m in materials if m.application_id not in chains)
        if outside:
            raise ServiceError(f"所选{label}中有 {outside} 条不在您的核验范围内，未核验任何材料。")

        # Transitions in memory: every one must be legal, or nothing is written.
        changed: dict[str, list[Material]] = {}
        illegal: dict[str, int] = {}
        for material in materials:
            if material.verification_status == rule.code:
                continue  # already in the chosen state: unchanged
            source = material.verification_status
            transition = getattr(material, rule.transition)
            if not can_proceed(transition):
                illegal[source] = illegal.get(source, 0) + 1
                continue
            transition()
            changed.setdefault(source, []).append(material)
        if illegal:
            states = "、".join(
                f"{VerificationStatus(s).label} {n} 条" for s, n in sorted(illegal.items())
            )
            raise ServiceError(
                f"所选{label}中有不能改为“{rule.label}”的材料（{states}），未核验任何材料。"
            )

        for source, group in changed.items():
            for chunk in _chunks([m.pk for m in group]):
                updated = concrete._default_manager.filter(
                    pk__in=chunk, verification_status=source
                ).update(
                    verification_status=rule.code,
                    verification_remark=remark,
                    verified_by=actor,
                    verified_at=now,
                    updated_at=now,
                )
                if updated != len(chunk):
                    raise ConcurrentTransition("a material changed while verifying")

        institutions = _verifying_institutions(actor=actor, chains=chains)

        def log_remark(material: Material) -> str:
            value = getattr(material, detail_field, "") if detail_field else ""
            what = f"{label}（{value}）" if value else label
            return f"{what}：{remark}" if remark else what

        count = log_actions(
            audit_entry(
                action=rule.log_action,
                actor=actor,
                subject=Application(pk=material.application_id),  # the id is all it needs
                data=entry_data(
                    institution=institution,
                    from_state=source,
                    to_state=rule.code,
                    remark=log_remark(material),
                ),
                created_at=now,
            )
            for source, group in changed.items()
            for material in group
            for institution in [institutions[material.application_id]]
        )
    return count
