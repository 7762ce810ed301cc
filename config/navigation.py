"""The admin sidebar (django-unfold), like the guide's 申报管理 menu. Each item is shown only
to users the permission callback in review/admin/access.py lets in."""

from django.urls import reverse_lazy

ACCESS = "review.admin.access"

SIDEBAR = {
    "show_search": False,
    "show_all_applications": False,
    "navigation": [
        {
            "title": "申报管理",
            "separator": True,
            "items": [
                {
                    "title": "报名材料审核",
                    "icon": "fact_check",
                    "link": reverse_lazy("admin:review_reviewapplication_changelist"),
                    "permission": f"{ACCESS}.can_review",
                },
                # [confirmation-code] 本单位确认码
                # [materials] 专项信息 (issue 4)
            ],
        },
        {
            "title": "审核进度",
            "separator": True,
            "items": [
                {
                    "title": "审核日志",
                    "icon": "history",
                    "link": reverse_lazy("admin:review_reviewlog_changelist"),
                    "permission": f"{ACCESS}.can_review",
                },
            ],
        },
        # [reference-libraries] 对比库
        # [base-data] 基础数据
        # [accounts] 机构与账号
    ],
}
