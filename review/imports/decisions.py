"""审核结果导入: the guide's offline workflow. A reviewer exports the 报名材料审核 list, fills
审核状态 (审核通过 / 暂不审核 / 允许修改 / 审核不通过) and 审核备注 per row, and imports the file.

Every row goes through `review.services.tier_review_decide` with the importing user as the
actor: the same permission and state checks as a click on the detail page, the same
audit log row. The file is applied all or nothing (the services' transactions nest as
savepoints in the import's transaction), and the preview runs the real services in a
transaction that is rolled back, so it shows exactly which rows would fail and why.

Behaviour per row:

- 审核状态 empty: 未变化, nothing else is checked (only unreadable cells, e.g. an ID
  number Excel turned into 4.2E+17, are reported in every row).
- the application (申报编号) must be one the user may review (`application_list`), else
  an error; 证件号码 and 姓名, when filled, must match it (a row shifted by sorting in
  Excel is refused, not applied to the wrong candidate).
- the decision is made at the user's own tier (for the superuser: where the application
  sits now). A tier that has moved on, a draft, a rejected application, a missing remark,
  an illegal transition: the service's Chinese reason, on the row.
- the file's “<本级>审核状态” column (e.g. 单位审核状态), when present, is the status the
  reviewer saw when exporting: if it has changed since (a colleague decided, the candidate
  resubmitted …), the row is refused, like the detail page's stale-form check.
- re-importing the same decisions does not decide twice: a row whose decision and remark
  this user already recorded at this tier (审核通过 also when already reported up) is
  未变化; the same decision recorded by someone else is refused by the service.
- 允许修改 from a file locks no sections; lock accepted sections on the detail page.
"""

from __future__ import annotations

from typing import Any, ClassVar

from import_export.fields import Field
from import_export.results import Result
from import_export.widgets import Widget

from core.errors import ServiceError
from core.imports.base import CellError, PlatformResource
from core.imports.widgets import IdNumberWidget
from core.masking import looks_masked, mask_id_number
from exam.models import Application, TierReview
from exam.models.applications import ReviewStatus
from people.importers import Importer, register
from people.notice_services import notices_batched
from people.permissions import Perm
from people.tiers import Tier
from review import services, workflow
from review.selectors import SCOPE_SUBTREE, application_list

COL_ID = "申报编号"
COL_NAME = "姓名"
COL_ID_NUMBER = "证件号码"
COL_DECISION = "审核状态"
COL_REMARK = "审核备注"

DECISION_LABELS = {code: rule.label for code, rule in workflow.DECISIONS.items()}
_CHOICES_TEXT = "、".join(DECISION_LABELS.values())


def decision_target(decision: str) -> str:
    """The TierReview status a decision leads to."""
    return workflow.DECISIONS[decision].target


def tier_status_column(tier: str) -> str:
    """The export's column for one tier's status (单位审核状态, 区县审核状态 …)."""
    return f"{Tier(tier).label}审核状态"


# --- cells --------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


class ApplicationIdWidget(Widget):
    """申报编号: the application's number as exported (Excel may hand it back as 12.0)."""

    def clean(self, value, row=None, **kwargs) -> int:
        text = _text(value)
        if not text:
            raise ValueError("申报编号不能为空。")
        if not text.isdigit():
            raise ValueError(
                f"申报编号“{text}”不是有效的编号。请不要修改导出文件中的“申报编号”列。"
            )
        return int(text)

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class DecisionWidget(Widget):
    """审核状态 by its label; empty means “no decision in this row”. Renders decision codes
    and review-status codes (the preview shows the status before → the decision after)."""

    def clean(self, value, row=None, **kwargs) -> str | None:
        text = "".join(_text(value).split())
        if not text:
            return None
        for code, label in DECISION_LABELS.items():
            if text == label:
                return code
        raise ValueError(
            f"“{text}”不是可填写的审核状态。请填写{_CHOICES_TEXT}之一，不审核的行请留空。"
        )

    def render(self, value, obj=None, **kwargs) -> str:
        if value is None:
            return ""
        return DECISION_LABELS.get(value) or workflow.REVIEW_STATUS_LABELS.get(value, str(value))


class OptionalTextWidget(Widget):
    """Free text; an empty cell is None (the column is then not checked)."""

    def clean(self, value, row=None, **kwargs) -> str | None:
        return _text(value) or None

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class RemarkWidget(Widget):
    def clean(self, value, row=None, **kwargs) -> str:
        return _text(value)

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class OptionalIdNumberWidget(IdNumberWidget):
    """证件号码 as a cross-check: empty is allowed, Excel-mangled numbers are refused; a
    masked number (the export's default, 420102********1234) is compared masked."""

    def clean(self, value, row=None, **kwargs) -> str | None:
        if value is None or _text(value) == "":
            return None
        if isinstance(value, str) and looks_masked(value):
            return value.strip().upper()
        return super().clean(value, row=row, **kwargs)


def _as_exported(number: str, read: str) -> str:
    """The candidate's number as the file would show it: masked when the file's is."""
    number = number.upper()
    return mask_id_number(number) if looks_masked(read) else number


# --- the resource -------------------------------------------------------------------------


class ReviewDecisionResource(PlatformResource):
    """审核结果 rows → `tier_review_decide`. The file may be the 报名材料审核 export itself
    (every exported column is accepted; only the ones below are read)."""

    importer_key = "review_decisions"
    importer_label = "审核结果"
    required_columns = (COL_ID, COL_DECISION, COL_REMARK)
    text_columns = (COL_ID_NUMBER, COL_DECISION, COL_REMARK)
    duplicate_key_columns = (COL_ID,)
    service_error_column = COL_DECISION
    example_row: ClassVar[dict[str, Any]] = {
        COL_ID: "10001",
        COL_NAME: "张三",
        COL_ID_NUMBER: "420102199001011234",
        COL_DECISION: "允许修改",
        COL_REMARK: "学历证书照片不清晰，请重新上传。",
    }
    column_notes: ClassVar[dict[str, str]] = {
        COL_ID: "导出文件中的申报编号，不要修改。",
        COL_NAME: "用于核对，须与申报编号对应的考生一致。",
        COL_ID_NUMBER: "用于核对，须与申报编号对应的考生一致；请设置为文本格式。",
        COL_DECISION: f"{_CHOICES_TEXT}之一；留空表示本行不审核（未变化）。",
        COL_REMARK: "选择允许修改或审核不通过时必填。",
    }

    application_no = Field(attribute="id", column_name=COL_ID, widget=ApplicationIdWidget())
    name = Field(
        attribute="import_name",
        column_name=COL_NAME,
        widget=OptionalTextWidget(),
        saves_null_values=False,
    )
    id_number = Field(
        attribute="import_id_number",
        column_name=COL_ID_NUMBER,
        widget=OptionalIdNumberWidget(),
        saves_null_values=False,
    )
    decision = Field(
        attribute="import_decision",
        column_name=COL_DECISION,
        widget=DecisionWidget(),
        saves_null_values=False,
    )
    remark = Field(attribute="import_remark", column_name=COL_REMARK, widget=RemarkWidget())

    class Meta(PlatformResource.Meta):
        model = Application
        fields = ("application_no", "name", "id_number", "decision", "remark")
        import_id_fields = ("application_no",)
        # The instance is only looked up: the service validates and writes.
        clean_model_instances = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._review: TierReview | None = None

    # --- columns ------------------------------------------------------------------------

    def extra_columns(self) -> list[str]:
        # The 报名材料审核 export, re-imported as it is: its other columns are information.
        from review.exporters import ReviewListExporter

        return list(ReviewListExporter.headers)

    def template_columns(self) -> list[str]:
        return [COL_ID, COL_NAME, COL_ID_NUMBER, COL_DECISION, COL_REMARK]

    # --- lookup -------------------------------------------------------------------------

    def get_queryset(self):
        # Built once per import: the selector's permission lookup is not repeated per row.
        if getattr(self, "_queryset", None) is None:
            if self.actor is None:
                self._queryset = Application.objects.none()
            else:
                self._queryset = application_list(
                    user=self.actor, business=None, permission=Perm.REVIEW, scope=SCOPE_SUBTREE
                ).select_related("candidate", "project")
        return self._queryset

    def _tier_for(self, application: Application) -> str:
        # Decisions are made at the importer's own tier; the superuser belongs to none and
        # decides where the application sits now, like on the detail page.
        if self.institution is not None:
            return self.institution.tier
        return application.current_tier

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        self._review = None
        if new:
            return
        self._review = (
            TierReview.objects.select_related("institution")
            .filter(application=instance, tier=self._tier_for(instance))
            .first()
        )
        # What the preview's “before” side shows: the tier's current status and remark.
        instance.import_name = instance.candidate.name
        instance.import_id_number = instance.candidate.id_number
        instance.import_decision = self._review.status if self._review else None
        instance.import_remark = self._review.remark if self._review else ""

    # --- checks ---------------------------------------------------------------------------

    @staticmethod
    def _chosen(instance) -> str | None:
        """The decision code the row asks for (None when 审核状态 is empty)."""
        value = getattr(instance, "import_decision", None)
        return value if value in workflow.DECISIONS else None

    def _already_recorded(self, instance) -> bool:
        """This user already recorded this decision with this remark at this tier."""
        decision, review = self._chosen(instance), self._review
        if decision is None or review is None or self.actor is None:
            return False
        target = decision_target(decision)
        statuses = {target, ReviewStatus.REPORTED} if target == ReviewStatus.APPROVED else {target}
        return (
            review.status in statuses
            and review.decided_by_id == self.actor.pk
            and review.remark == (instance.import_remark or "").strip()
        )

    def row_errors(self, instance, row, new: bool) -> dict[str, list[str]]:
        if self._chosen(instance) is None:
            return {}  # no decision in this row: nothing to check, 未变化
        if new:
            number = _text(row.get(COL_ID))
            return {COL_ID: [f"申报编号“{number}”不存在，或该申报不在您的审核范围内。"]}
        errors: dict[str, list[str]] = {}
        candidate = instance.candidate
        name = getattr(instance, "import_name", None)
        if name is not None and name != candidate.name:
            errors[COL_NAME] = [
                f"姓名“{name}”与申报编号 {instance.pk} 的考生（{candidate.name}）不一致，"
                "请核对是否错行。"
            ]
        id_number = getattr(instance, "import_id_number", None)
        if id_number is not None and id_number != _as_exported(candidate.id_number, id_number):
            errors[COL_ID_NUMBER] = [
                f"证件号码“{id_number}”与申报编号 {instance.pk} 的考生不一致，请核对是否错行。"
            ]
        review = self._review
        if review is None:  # not at this tier (yet): the workflow's reason
            refusal = workflow.decision_refusal(
                user=self.actor,
                application=instance,
                tier_review=None,
                decision=workflow.DECISIONS[self._chosen(instance)],
            )
            errors[COL_DECISION] = [refusal or ""]
            return errors
        column = tier_status_column(review.tier)
        seen = "".join(_text(row.get(column)).split())
        current = workflow.REVIEW_STATUS_LABELS[review.status]
        if seen and seen != current and not self._already_recorded(instance):
            errors[column] = [
                f"导出后本级审核状态已由“{seen}”变为“{current}”（可能已被他人处理或考生已重新提交），"
                "本行未导入。请重新导出后再填写。"
            ]
        return errors

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        if import_validation_errors:
            return False
        if self._chosen(instance) is None or self._already_recorded(instance):
            # 未变化: the preview shows the tier's status and remark as they are.
            instance.import_remark = getattr(original, "import_remark", "")
            return True
        return False

    # --- the write ---------------------------------------------------------------------------

    def import_rows(
        self,
        rows: list[list[Any]],
        headers: list[str],
        dry_run,
        raise_errors,
        using_transactions,
        collect_failed_rows,
        **kwargs,
    ) -> Result:
        # Every row's 消息 in one set of INSERTs at the end, still in the file's transaction
        # (a file with an error, or the preview, rolls them back with the decisions).
        with notices_batched():
            return super().import_rows(
                rows,
                headers,
                dry_run,
                raise_errors,
                using_transactions,
                collect_failed_rows,
                **kwargs,
            )

    def do_instance_save(self, instance, is_create) -> None:
        decision = self._chosen(instance)
        rule = workflow.DECISIONS[decision]
        remark = (instance.import_remark or "").strip()
        try:
            services.tier_review_decide(
                actor=self.actor, tier_review=self._review, decision=decision, remark=remark
            )
        except ServiceError as exc:
            column = COL_REMARK if rule.remark_required and not remark else COL_DECISION
            raise CellError(exc.message, column) from exc


# 审核结果导入: every row is still checked by the decision service and the selector.
register(
    Importer(
        identifier="review.reviewapplication",
        resource_class=ReviewDecisionResource,
        perm=Perm.REVIEW,
        province_only=False,
    )
)
