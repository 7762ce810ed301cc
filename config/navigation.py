"""The admin sidebar (django-unfold), like the guide's 申报管理 menu. Each item is shown only
to users the permission callback in people/access.py lets in."""

from django.urls import reverse_lazy

ACCESS = "people.access"

SIDEBAR = {
    "show_search": False,
    "show_all_applications": False,
    "navigation": [
        {
            "title": "申报管理",
            "separator": True,
            "items": [
                {
                    # 当前业务 (seed 003 §1): only for reviewers who have more than one.
                    "title": "选择业务",
                    "icon": "swap_horiz",
                    "link": reverse_lazy("admin:business"),
                    "permission": f"{ACCESS}.can_switch_business",
                },
                {
                    "title": "报名材料审核",
                    "icon": "fact_check",
                    "link": reverse_lazy("admin:review_reviewapplication_changelist"),
                    "permission": f"{ACCESS}.can_review",
                },
                {
                    # Copied certificates and texts across candidates (review/admin/duplicates.py).
                    "title": "查重",
                    "icon": "content_copy",
                    "link": reverse_lazy("admin:duplicates_match_changelist"),
                    "permission": "review.admin.duplicates.can_see_duplicates",
                },
                {
                    "title": "本单位确认码",
                    "icon": "qr_code_2",
                    "link": reverse_lazy("admin:confirmation_code"),
                    "permission": f"{ACCESS}.is_reviewer",
                },
                {
                    "title": "缴费状态",
                    "icon": "payments",
                    "link": reverse_lazy("admin:review_paymentapplication_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    # 专项信息: 学历信息 first; the six lists link to each other as tabs.
                    "title": "专项信息",
                    "icon": "verified",
                    "link": reverse_lazy("admin:review_verifyeducation_changelist"),
                    "permission": f"{ACCESS}.can_verify",
                    "active": "review.admin.materials.is_materials_page",
                },
            ],
        },
        {
            "title": "审核进度",
            "separator": True,
            "items": [
                {
                    "title": "审核日志",
                    "icon": "history",
                    "link": reverse_lazy("admin:core_auditlogentry_changelist"),
                    "permission": f"{ACCESS}.can_review",
                },
                {
                    "title": "个人信息访问记录",
                    "icon": "visibility",
                    "link": reverse_lazy("admin:core_personaldataaccess_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "推荐人跨区县统计",
                    "icon": "groups",
                    "link": reverse_lazy("admin:recommender_spread"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
            ],
        },
        {
            "title": "对比库",
            "separator": True,
            "items": [
                {
                    "title": "对比库",
                    "icon": "library_books",
                    "link": reverse_lazy("admin:review_referencelibrary_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "对比库记录",
                    "icon": "manage_search",
                    "link": reverse_lazy("admin:review_referencerecord_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
            ],
        },
        {
            "title": "基础数据",
            "separator": True,
            "collapsible": True,
            "items": [
                {
                    "title": "考试项目",
                    "icon": "event_note",
                    "link": reverse_lazy("admin:exam_examproject_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "报考条件",
                    "icon": "rule",
                    "link": reverse_lazy("admin:exam_eligibilityruleset_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "查重设置",
                    "icon": "content_copy",
                    "link": reverse_lazy("admin:duplicates_duplicatesettings_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "申报级别",
                    "icon": "stairs",
                    "link": reverse_lazy("admin:exam_level_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "类别(专业)",
                    "icon": "category",
                    "link": reverse_lazy("admin:exam_specialty_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "中医考核类别",
                    "icon": "spa",
                    "link": reverse_lazy("admin:exam_tcmcategory_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "医师库",
                    "icon": "medical_services",
                    "link": reverse_lazy("admin:people_physician_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "行政区划",
                    "icon": "map",
                    "link": reverse_lazy("admin:people_division_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "民族",
                    "icon": "diversity_3",
                    "link": reverse_lazy("admin:people_ethnicity_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "政治面貌",
                    "icon": "flag",
                    "link": reverse_lazy("admin:people_politicalstatus_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "学历",
                    "icon": "school",
                    "link": reverse_lazy("admin:people_educationlevel_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
            ],
        },
        {
            "title": "机构与账号",
            "separator": True,
            "items": [
                {
                    "title": "机构",
                    "icon": "account_tree",
                    "link": reverse_lazy("admin:people_institution_changelist"),
                    "permission": f"{ACCESS}.can_manage",
                },
                {
                    "title": "审核人员",
                    "icon": "manage_accounts",
                    "link": reverse_lazy("admin:people_reviewermembership_changelist"),
                    "permission": f"{ACCESS}.can_manage",
                },
                {
                    "title": "实名认证审核",
                    "icon": "badge",
                    "link": reverse_lazy("admin:people_identityverification_changelist"),
                    "permission": "people.admin.identity.can_decide_identity",
                },
                {
                    "title": "导入日志",
                    "icon": "upload_file",
                    "link": reverse_lazy("admin:people_importlog_changelist"),
                    "permission": f"{ACCESS}.is_reviewer",
                },
                {
                    "title": "短信发送记录",
                    "icon": "sms",
                    "link": reverse_lazy("admin:people_smsmessage_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "消息记录",
                    "icon": "notifications",
                    "link": reverse_lazy("admin:people_notification_changelist"),
                    "permission": f"{ACCESS}.is_provincial_staff",
                },
                {
                    "title": "我的任务",
                    "icon": "pending_actions",
                    "link": reverse_lazy("admin:jobs_job_changelist"),
                    "permission": "review.admin.jobs.can_see_jobs",
                },
            ],
        },
        {
            # django-axes' records (people/admin/logins.py): the superuser only.
            "title": "登录安全",
            "separator": True,
            "items": [
                {
                    "title": "登录失败记录",
                    "icon": "lock_person",
                    "link": reverse_lazy("admin:axes_accessattempt_changelist"),
                    "permission": "people.admin.logins.is_superuser",
                },
                {
                    "title": "登录记录",
                    "icon": "login",
                    "link": reverse_lazy("admin:axes_accesslog_changelist"),
                    "permission": "people.admin.logins.is_superuser",
                },
            ],
        },
    ],
}
