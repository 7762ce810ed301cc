"""医师库: the physician registry, read-only for provincial staff, who import it from Excel."""

from django.contrib import admin

from people.admin.imports import PlatformImportMixin
from people.admin.provincial import ProvincialReadOnlyAdmin
from people.admin.sms import MaskedPhoneMixin
from people.imports import PhysicianResource
from people.models import Physician


@admin.register(Physician)
class PhysicianAdmin(MaskedPhoneMixin, PlatformImportMixin, ProvincialReadOnlyAdmin):
    list_display = [
        "name",
        "id_number",
        "institution_name",
        "masked_phone",
        "practice_category",
        "practice_scope",
        "title",
        "clinical_start_year",
        "is_recommender",
        "is_supervisor",
        "updated_at",
    ]
    list_filter = ["is_recommender", "is_supervisor", "practice_category", "title"]
    search_fields = ["name", "=id_number", "=phone"]
    search_help_text = "按姓名、完整身份证号码或完整手机号码查询"
    resource_classes = [PhysicianResource]
    import_help = (
        "按身份证号码匹配：已有的医师更新，没有的新增；文件中没有的医师保持不变。"
        "手机号码必填（11位手机号码，老师身份核验的短信验证码发到这个号码）；"
        "推荐医师、指导老师两列填“是”或“否”；"
        "执业类别、职称、从事临床工作起始年份供报考条件使用，空白时转人工核实。"
    )
