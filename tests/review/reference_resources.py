"""The reference the fast exporters are checked against (tests/review/test_exporting.py):
the django-import-export resources the review exports were made with before the exporter
registry (review/exporters.py), cell by cell through the ORM objects and their
get_FOO_display, independent of the exporters' values() path. Test-only: the platform has
one column definition per export, its exporter.
"""

from django.utils import timezone
from import_export import fields, resources

from exam.models import Application, EligibilityResult
from review.resources import field_label, field_value


def eligibility_cell(application: Application) -> str:
    """报考条件 through the ORM: what counts, "（人工认定）" when overridden, "" when none."""
    try:
        result = application.eligibility
    except EligibilityResult.DoesNotExist:
        return ""
    label = result.get_outcome_display()
    return f"{label}（人工认定）" if result.override_outcome else label


class ReviewApplicationResource(resources.ModelResource):
    """The 报名材料审核 list as xlsx. 申报编号 and the empty 审核状态 / 审核备注 columns make the
    file the reviewer's offline form: filled in and imported back (review.imports.decisions),
    each row is decided at the reviewer's tier."""

    application_no = fields.Field(column_name="申报编号")
    submit_status = fields.Field(column_name="提交状态")
    submitted_at = fields.Field(column_name="提交时间")
    province_status = fields.Field(column_name="省级审核状态")
    city_status = fields.Field(column_name="市州审核状态")
    county_status = fields.Field(column_name="区县审核状态")
    unit_status = fields.Field(column_name="单位审核状态")
    payment = fields.Field(column_name="缴费状态")
    name = fields.Field(column_name="姓名")
    id_type = fields.Field(column_name="证件类型")
    id_number = fields.Field(column_name="证件号码")
    level = fields.Field(column_name="申报级别")
    specialty = fields.Field(column_name="类别(专业)")
    institution = fields.Field(column_name="申报单位")
    education = fields.Field(column_name="学历层级")
    eligibility = fields.Field(column_name="报考条件")
    decision = fields.Field(column_name="审核状态")
    decision_remark = fields.Field(column_name="审核备注")

    class Meta:
        model = Application
        fields = (
            "application_no",
            "submit_status",
            "submitted_at",
            "province_status",
            "city_status",
            "county_status",
            "unit_status",
            "payment",
            "name",
            "id_type",
            "id_number",
            "level",
            "specialty",
            "institution",
            "education",
            "eligibility",
            "decision",
            "decision_remark",
        )
        export_order = fields

    def dehydrate_application_no(self, obj: Application) -> int:
        return obj.pk

    def dehydrate_decision(self, obj: Application) -> str:
        return ""  # filled in by the reviewer: 审核通过 / 暂不审核 / 允许修改 / 审核不通过

    def dehydrate_decision_remark(self, obj: Application) -> str:
        return ""

    def dehydrate_submit_status(self, obj: Application) -> str:
        return obj.get_status_display()

    def dehydrate_submitted_at(self, obj: Application) -> str:
        if obj.submitted_at is None:
            return ""
        return timezone.localtime(obj.submitted_at).strftime("%Y-%m-%d %H:%M")

    def _tier_status(self, obj: Application, tier: str) -> str:
        return getattr(obj, f"get_{tier}_review_status_display")()

    def dehydrate_province_status(self, obj: Application) -> str:
        return self._tier_status(obj, "province")

    def dehydrate_city_status(self, obj: Application) -> str:
        return self._tier_status(obj, "city")

    def dehydrate_county_status(self, obj: Application) -> str:
        return self._tier_status(obj, "county")

    def dehydrate_unit_status(self, obj: Application) -> str:
        return self._tier_status(obj, "unit")

    def dehydrate_payment(self, obj: Application) -> str:
        return obj.get_payment_status_display()

    def dehydrate_name(self, obj: Application) -> str:
        return obj.candidate.name

    def dehydrate_id_type(self, obj: Application) -> str:
        return obj.candidate.get_id_type_display()

    def dehydrate_id_number(self, obj: Application) -> str:
        return str(obj.candidate.id_number)

    def dehydrate_level(self, obj: Application) -> str:
        return obj.level.name if obj.level_id else ""

    def dehydrate_specialty(self, obj: Application) -> str:
        return str(obj.specialty) if obj.specialty_id else ""

    def dehydrate_institution(self, obj: Application) -> str:
        return obj.entry_institution.name

    def dehydrate_education(self, obj: Application) -> str:
        return obj.highest_education

    def dehydrate_eligibility(self, obj: Application) -> str:
        return eligibility_cell(obj)


# --- 专项信息: one export per material list ----------------------------------------------------


class MaterialResource(resources.ModelResource):
    """The columns every material list exports; `material_resource` adds the material's own.
    `tier` (the exporting user's tier) decides which 审核状态 is the 材料状态."""

    name = fields.Field(column_name="姓名")
    id_type = fields.Field(column_name="证件类型")
    id_number = fields.Field(column_name="证件号码")
    submit_status = fields.Field(column_name="提交状态")
    material_status = fields.Field(column_name="材料状态")
    payment = fields.Field(column_name="缴费状态")
    level = fields.Field(column_name="申报级别")
    specialty = fields.Field(column_name="类别(专业)")
    institution = fields.Field(column_name="申报单位")

    COMMON = (
        "name",
        "id_type",
        "id_number",
        "submit_status",
        "material_status",
        "payment",
        "level",
        "specialty",
        "institution",
    )
    TAIL = ("verification", "verification_note", "verified_time")

    verification = fields.Field(column_name="核验状态")
    verification_note = fields.Field(column_name="核验备注")
    verified_time = fields.Field(column_name="核验时间")

    def __init__(self, tier: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.tier = tier

    def dehydrate_name(self, obj) -> str:
        return obj.application.candidate.name

    def dehydrate_id_type(self, obj) -> str:
        return obj.application.candidate.get_id_type_display()

    def dehydrate_id_number(self, obj) -> str:
        return str(obj.application.candidate.id_number)

    def dehydrate_submit_status(self, obj) -> str:
        return obj.application.get_status_display()

    def dehydrate_material_status(self, obj) -> str:
        application = obj.application
        tier = self.tier or application.current_tier
        return getattr(application, f"get_{tier}_review_status_display")()

    def dehydrate_payment(self, obj) -> str:
        return obj.application.get_payment_status_display()

    def dehydrate_level(self, obj) -> str:
        return obj.application.level.name if obj.application.level_id else ""

    def dehydrate_specialty(self, obj) -> str:
        return str(obj.application.specialty) if obj.application.specialty_id else ""

    def dehydrate_institution(self, obj) -> str:
        return obj.application.entry_institution.name

    def dehydrate_verification(self, obj) -> str:
        return obj.get_verification_status_display()

    def dehydrate_verification_note(self, obj) -> str:
        return obj.verification_remark

    def dehydrate_verified_time(self, obj) -> str:
        if obj.verified_at is None:
            return ""
        return timezone.localtime(obj.verified_at).strftime("%Y-%m-%d %H:%M")


def material_resource(
    model, field_names: tuple[str, ...], *, with_eligibility: bool = False
) -> type[MaterialResource]:
    """A MaterialResource for `model` with its own fields between the common columns (and
    报考条件 when `with_eligibility`) and 核验状态; values as the list shows them, all as text
    (numbers like 毕业证号 included)."""
    own = {
        f"m_{name}": fields.Field(
            column_name=field_label(model, name),
            dehydrate_method=lambda obj, name=name: field_value(obj, name),
        )
        for name in field_names
    }
    common = {}
    if with_eligibility:
        common["eligibility"] = fields.Field(
            column_name="报考条件", dehydrate_method=lambda obj: eligibility_cell(obj.application)
        )
    order = (*MaterialResource.COMMON, *common, *own, *MaterialResource.TAIL)
    meta = type("Meta", (), {"model": model, "fields": order, "export_order": order})
    return type(f"{model.__name__}Resource", (MaterialResource,), {**common, **own, "Meta": meta})
