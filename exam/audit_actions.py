"""The audit log's exam codes: applications (application.*), their teachers (recommender.*),
a candidate's change to a checked material, a project's settings (project.*) and its 报考条件
rules, with their labels and state words."""

from core.audit import register_actions
from exam.models import PaymentStatus, Recommender, VerificationStatus
from exam.models.applications import Application

LOG_APPLICATION_CREATED = "application.created"
LOG_APPLICATION_SUBMITTED = "application.submitted"
LOG_APPLICATION_WITHDRAWN = "application.withdrawn"
LOG_APPLICATION_RESUBMITTED = "application.resubmitted"
LOG_APPLICATION_PAYMENT = "application.payment_changed"
LOG_APPLICATION_ONSITE = "application.onsite_confirmed"
LOG_APPLICATION_ENTRY_CHANGED = "application.entry_changed"
LOG_MATERIAL_RESET_BY_CANDIDATE = "material.reset_by_candidate"
LOG_RECOMMENDER_ADDED = "recommender.added"
LOG_RECOMMENDER_REMOVED = "recommender.removed"
LOG_RECOMMENDER_INVITED = "recommender.invited"
LOG_RECOMMENDER_IDENTITY_CONFIRMED = "recommender.identity_confirmed"
# Wrong ID numbers, before the SMS code replaced them: kept for the older log rows.
LOG_RECOMMENDER_IDENTITY_FAILED = "recommender.identity_failed"
LOG_RECOMMENDER_CODE_SENT = "recommender.code_sent"
LOG_RECOMMENDER_CODE_FAILED = "recommender.code_failed"
LOG_RECOMMENDER_SIGNED = "recommender.signed"
LOG_ELIGIBILITY_RULES_CHANGED = "eligibility.rules_changed"
LOG_PROJECT_CHANGED = "project.changed"
LOG_DUPLICATE_SETTINGS_CHANGED = "duplicates.settings_changed"

LABELS: dict[str, str] = {
    LOG_APPLICATION_CREATED: "绑定单位，创建申报",
    LOG_APPLICATION_SUBMITTED: "提交申报",
    LOG_APPLICATION_WITHDRAWN: "撤回申报",
    LOG_APPLICATION_RESUBMITTED: "修改后重新提交",
    LOG_APPLICATION_PAYMENT: "缴费状态变更",
    LOG_APPLICATION_ONSITE: "现场确认",
    LOG_APPLICATION_ENTRY_CHANGED: "变更初审机构",
    LOG_MATERIAL_RESET_BY_CANDIDATE: "考生修改材料，恢复待核验",
    LOG_RECOMMENDER_ADDED: "添加推荐医师/指导老师",
    LOG_RECOMMENDER_REMOVED: "删除推荐医师/指导老师",
    LOG_RECOMMENDER_INVITED: "生成推荐二维码",
    LOG_RECOMMENDER_IDENTITY_CONFIRMED: "老师身份核验通过",
    LOG_RECOMMENDER_IDENTITY_FAILED: "老师身份核验失败",
    LOG_RECOMMENDER_CODE_SENT: "发送老师身份核验短信",
    LOG_RECOMMENDER_CODE_FAILED: "老师输入的验证码错误",
    LOG_RECOMMENDER_SIGNED: "老师完成评价签名",
    LOG_ELIGIBILITY_RULES_CHANGED: "修改报考条件规则",
    LOG_PROJECT_CHANGED: "修改考试项目设置",
    LOG_DUPLICATE_SETTINGS_CHANGED: "修改查重设置",
}

# What the 原状态 / 新状态 codes mean, by the action's prefix (material.* covers the
# reviewers' material.verified / material.failed too: the same statuses).
STATE_LABELS: dict[str, dict[str, str]] = {
    LOG_APPLICATION_PAYMENT: dict(PaymentStatus.choices),
    "application.": dict(Application.Status.choices),
    "material.": dict(VerificationStatus.choices),
    "recommender.": dict(Recommender.Status.choices),
}


def register() -> None:
    register_actions(LABELS, state_labels=STATE_LABELS)
