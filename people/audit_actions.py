"""The audit log's people.* codes: institutions and reviewer accounts, with their labels;
and `entry_data`, the payload every app writes for an institution's work."""

from core.audit import register_actions
from people.models import Institution

LOG_INSTITUTION_CODE_REGENERATED = "institution.confirmation_code_regenerated"
LOG_ACCOUNT_CREATED = "account.created"
LOG_ACCOUNT_DEACTIVATED = "account.deactivated"
LOG_ACCOUNT_ACTIVATED = "account.activated"
LOG_ACCOUNT_PASSWORD_RESET = "account.password_reset"
LOG_ACCOUNT_PERMS_CHANGED = "account.perms_changed"
LOG_ACCOUNT_RENAMED = "account.renamed"
LOG_ACCOUNT_LOGIN_UNLOCKED = "account.login_unlocked"
LOG_ACCOUNT_PREFERENCE_CHANGED = "account.preference_changed"
# Every export of personal data (people.exports.export_logged), wherever it is.
LOG_DATA_EXPORTED = "data.exported"

# Account rows store their states as words (启用 / 停用), so there are no state rules here.
LABELS: dict[str, str] = {
    LOG_INSTITUTION_CODE_REGENERATED: "重新生成本单位确认码",
    LOG_ACCOUNT_CREATED: "创建审核账号",
    LOG_ACCOUNT_DEACTIVATED: "停用审核账号",
    LOG_ACCOUNT_ACTIVATED: "启用审核账号",
    LOG_ACCOUNT_PASSWORD_RESET: "重置审核账号密码",
    LOG_ACCOUNT_PERMS_CHANGED: "修改审核账号权限",
    LOG_ACCOUNT_RENAMED: "修改审核账号姓名",
    LOG_ACCOUNT_LOGIN_UNLOCKED: "解除登录锁定",
    LOG_ACCOUNT_PREFERENCE_CHANGED: "修改审核偏好设置",
    LOG_DATA_EXPORTED: "导出数据",
}


def register() -> None:
    register_actions(LABELS)


def entry_data(
    *,
    institution: Institution | None = None,
    tier: str = "",
    from_state: str = "",
    to_state: str = "",
    remark: str = "",
) -> dict[str, object]:
    """A log row's payload: whose work it is (the institution, and its tier unless another is
    given), the states before and after, the remark."""
    return {
        "institution": institution.pk if institution is not None else None,
        "tier": tier or (institution.tier if institution is not None else ""),
        "from_state": from_state,
        "to_state": to_state,
        "remark": remark,
    }
