"""缴费状态导入: provincial staff import payment status from the payment platform's list.

Columns: 证件号码 and 考试项目 identify the application; 缴费状态 is 已缴费 or 已退费 (a row
with 待缴费 is accepted only where the application is still 待缴费, so an exported list can
be re-imported unchanged); 姓名 is optional and, when filled, must match the candidate.

考试项目 is the project's name as shown under 基础数据 → 考试项目 (e.g. “2026年卫生专业技术资格
考试”); “2026年” + the exam's kind (“2026年中医医术确有专长人员医师资格考核”) is accepted too.

Every row goes through `review.services.application_set_payment` (待缴费 → 已缴费,
已缴费 → 已退费) with the importing user as the actor, so the service's permission check
(管理 on the province) and the audit log apply. A row already in the target state is 未变化;
an illegal transition (待缴费 → 已退费), an unknown or malformed ID number, an unknown
project, or the same application twice is an error on the row. All or nothing.

Applications are looked up through `application_list` (管理 permission, 下级所有): the
province sees an application once it has been reported up to the province.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from import_export.fields import Field
from import_export.widgets import Widget

from core.errors import ServiceError
from core.imports.base import PlatformResource
from core.imports.widgets import IdNumberWidget
from core.masking import MASK_ID, MaskKind
from exam.models import Application, ExamProject, PaymentStatus
from people.importers import Importer, register
from people.models.candidates import IdType, validate_id_document
from people.permissions import Perm
from review import services
from review.selectors import SCOPE_SUBTREE, application_list

COL_NAME = "姓名"
COL_ID_NUMBER = "证件号码"
COL_PROJECT = "考试项目"
COL_PAYMENT = "缴费状态"

PAYMENT_LABELS = dict(PaymentStatus.choices)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else " ".join(str(value).split())


def _compact(text: str) -> str:
    return "".join(text.split())


class ProjectWidget(Widget):
    """考试项目 by name, or by “<year>年<kind>”."""

    def _lookup(self) -> dict[str, ExamProject]:
        names: dict[str, ExamProject] = {}
        for project in ExamProject.objects.all():
            names[_compact(project.name)] = project
            kind = project.get_kind_display()
            names.setdefault(_compact(f"{project.year}年{kind}"), project)
            names.setdefault(_compact(f"{project.year}{kind}"), project)
        return names

    def clean(self, value, row=None, **kwargs) -> ExamProject:
        text = _text(value)
        if not text:
            raise ValueError("考试项目不能为空。")
        if not hasattr(self, "_names"):
            self._names = self._lookup()
        project = self._names.get(_compact(text))
        if project is None:
            known = "、".join(
                f"“{p.name}”" for p in ExamProject.objects.order_by("-year", "kind")[:6]
            )
            raise ValueError(f"未找到考试项目“{text}”。请填写考试项目名称，如{known}。")
        return project

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class PaymentStatusWidget(Widget):
    def clean(self, value, row=None, **kwargs) -> str:
        text = _compact(_text(value))
        if not text:
            raise ValueError("缴费状态不能为空，请填写“已缴费”或“已退费”。")
        for code, label in PAYMENT_LABELS.items():
            if text == label:
                return code
        raise ValueError(f"“{text}”不是可填写的缴费状态，请填写“已缴费”或“已退费”。")

    def render(self, value, obj=None, **kwargs) -> str:
        return PAYMENT_LABELS.get(value, "") if value else ""


class OptionalNameWidget(Widget):
    def clean(self, value, row=None, **kwargs) -> str | None:
        return _text(value) or None

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


def id_number_problem(number: str) -> str | None:
    """Why a number that matched nobody cannot be a resident ID number (None: it could be
    one, or it is another kind of document)."""
    if not (len(number) in (15, 17, 18, 19) and number[:17].isdigit()):
        return None
    try:
        validate_id_document(IdType.RESIDENT_ID, number)
    except ValidationError as exc:
        return "；".join(exc.messages)
    return None


class PaymentResource(PlatformResource):
    """缴费状态 rows → `application_set_payment`. Exports the same columns (round trip)."""

    importer_key = "payments"
    importer_label = "缴费状态"
    required_columns = (COL_ID_NUMBER, COL_PROJECT, COL_PAYMENT)
    text_columns = (COL_ID_NUMBER,)
    masked_columns: ClassVar[dict[str, MaskKind]] = {COL_ID_NUMBER: MASK_ID}
    service_error_column = COL_PAYMENT
    example_row: ClassVar[dict[str, Any]] = {
        COL_NAME: "张三",
        COL_ID_NUMBER: "420102199001011234",
        COL_PROJECT: "2026年卫生专业技术资格考试",
        COL_PAYMENT: "已缴费",
    }
    column_notes: ClassVar[dict[str, str]] = {
        COL_NAME: "用于核对，填写时须与证件号码对应的考生一致。",
        COL_ID_NUMBER: "考生的证件号码。请把该列设置为“文本”格式，否则 Excel 会把身份证号码变成科学计数法。",
        COL_PROJECT: "考试项目名称，如“2026年卫生专业技术资格考试”（也可写“年度+年+考试类型”）。",
        COL_PAYMENT: "已缴费 或 已退费。待缴费只能用于仍为待缴费的申报（未变化）；已缴费才能退费。",
    }

    name = Field(
        attribute="import_name",
        column_name=COL_NAME,
        widget=OptionalNameWidget(),
        saves_null_values=False,
    )
    id_number = Field(
        attribute="import_id_number", column_name=COL_ID_NUMBER, widget=IdNumberWidget()
    )
    project = Field(attribute="import_project", column_name=COL_PROJECT, widget=ProjectWidget())
    payment = Field(
        attribute="import_payment", column_name=COL_PAYMENT, widget=PaymentStatusWidget()
    )

    class Meta(PlatformResource.Meta):
        model = Application
        fields = ("name", "id_number", "project", "payment")
        export_order = fields
        import_id_fields = ("id_number", "project")
        clean_model_instances = False

    # --- lookup -------------------------------------------------------------------------

    def get_queryset(self):
        # Built once per import: the selector's permission lookup is not repeated per row.
        if getattr(self, "_queryset", None) is None:
            if self.actor is None:
                self._queryset = Application.objects.none()
            else:
                self._queryset = application_list(
                    user=self.actor, business=None, permission=Perm.MANAGE, scope=SCOPE_SUBTREE
                ).select_related("candidate", "project", "province")
        return self._queryset

    def get_instance(self, instance_loader, row):
        try:
            id_number = self.fields["id_number"].clean(row)
            project = self.fields["project"].clean(row)
        except (KeyError, ValueError):
            return None
        return self.get_queryset().filter(candidate__id_number=id_number, project=project).first()

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        if not new:
            # The preview's “before” side.
            instance.import_name = instance.candidate.name
            instance.import_id_number = instance.candidate.id_number
            instance.import_project = instance.project
            instance.import_payment = instance.payment_status

    # --- checks ---------------------------------------------------------------------------

    def row_errors(self, instance, row, new: bool) -> dict[str, list[str]]:
        if new:
            number = getattr(instance, "import_id_number", None)
            project = getattr(instance, "import_project", None)
            if not number or project is None:
                return {}  # the cell that did not read is reported already
            problem = id_number_problem(number)
            if problem:
                return {COL_ID_NUMBER: [f"证件号码“{number}”无效：{problem}"]}
            return {
                COL_ID_NUMBER: [
                    f"未找到证件号码为“{number}”的考生在“{project.name}”中的申报"
                    "（或该申报尚未上报至省级）。"
                ]
            }
        name = getattr(instance, "import_name", None)
        if name is not None and name != instance.candidate.name:
            return {
                COL_NAME: [f"姓名“{name}”与证件号码对应的考生（{instance.candidate.name}）不一致。"]
            }
        return {}

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        if import_validation_errors:
            return False
        # Already in the target state: 未变化 (also 待缴费 where it is still 待缴费).
        return getattr(instance, "import_payment", None) == instance.payment_status

    # --- the write ---------------------------------------------------------------------------

    def do_instance_save(self, instance, is_create) -> None:
        target = instance.import_payment
        if target == PaymentStatus.UNPAID:
            # Only reached when the application is no longer 待缴费 (else 未变化).
            current = instance.get_payment_status_display()
            raise ServiceError(f"缴费状态为“{current}”，不能改回“待缴费”。")
        services.application_set_payment(actor=self.actor, application=instance, status=target)

    # --- export (the same columns, for a round trip) and the preview's cells -----------------
    # An exported row reads the application; a previewed row shows what the file says
    # (the import_* attributes), also where no application was found.

    def dehydrate_name(self, obj: Application) -> str:
        if getattr(obj, "import_name", None) is not None:
            return obj.import_name
        return obj.candidate.name if obj.candidate_id else ""

    def dehydrate_id_number(self, obj: Application) -> str:
        if getattr(obj, "import_id_number", None) is not None:
            return obj.import_id_number
        return str(obj.candidate.id_number) if obj.candidate_id else ""

    def dehydrate_project(self, obj: Application) -> str:
        project = getattr(obj, "import_project", None)
        if project is None and obj.project_id:
            project = obj.project
        return project.name if project is not None else ""

    def dehydrate_payment(self, obj: Application) -> str:
        status = getattr(obj, "import_payment", None) or (obj.payment_status if obj.pk else "")
        return PAYMENT_LABELS.get(status, "")


register(Importer(identifier="review.paymentapplication", resource_class=PaymentResource))
