"""Excel export of the review list (django-import-export), with the list's Chinese headers.

ID numbers are exported as strings, so openpyxl writes text cells: Excel never turns them
into numbers like 4.2010219900101E+17.
"""

from django.utils import timezone
from import_export import fields, resources

from exam.models import Application


class ReviewApplicationResource(resources.ModelResource):
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

    class Meta:
        model = Application
        fields = (
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
        )
        export_order = fields

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
