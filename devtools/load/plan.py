"""The plan the locustfile reads: the paths, the filter values, and per account what its
own scope holds (application ids for detail pages, names, ID numbers and institution names
for the list's text filters, how many pages its list has). Built from the database the
server uses, through the same selector as the review list, so every detail page is one the
account may open."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from devtools.bench.constants import BENCH_PASSWORD
from devtools.load.accounts import LoadAccount
from exam.models import Application, Level, PaymentStatus, VerificationStatus
from exam.models.applications import ReviewStatus
from people.permissions import Perm
from people.reference_data import EXAM_EDUCATION_LABELS
from review.admin.filters import specialty_options
from review.models import VERIFY_MODELS, ReviewApplication
from review.selectors import SCOPE_SUBTREE, application_list

User = get_user_model()
SAMPLE = 200  # applications per scope for detail pages
TEXT_SAMPLE = 30  # names / ID numbers per scope for the text filters


def _paths() -> dict[str, Any]:
    placeholder = 987654321
    detail = reverse("admin:review_reviewapplication_change", args=[placeholder])
    return {
        "login": reverse("admin:login"),
        "home": reverse("admin:index"),
        "list": reverse("admin:review_reviewapplication_changelist"),
        "detail": detail.replace(str(placeholder), "{id}"),
        "materials": {
            str(model._meta.verbose_name): reverse(
                f"admin:review_{model._meta.model_name}_changelist"
            )
            for model in VERIFY_MODELS
        },
    }


def _choices() -> dict[str, Any]:
    specialties = {level: [pk for pk, _ in opts] for level, opts in specialty_options().items()}
    return {
        "levels": {
            code: specialties.get(code, []) for code in Level.objects.values_list("pk", flat=True)
        },
        "review_status": list(ReviewStatus.values),
        "status": list(Application.Status.values),
        "payment": list(PaymentStatus.values),
        "education": list(EXAM_EDUCATION_LABELS.values()),
        "verification": list(VerificationStatus.values),
    }


def _scope_sample(account: LoadAccount) -> dict[str, Any]:
    user = User.objects.get(pk=account.user_id)
    visible = application_list(
        user=user, business=account.project_id, permission=Perm.REVIEW, scope=SCOPE_SUBTREE
    )
    rows = list(
        visible.order_by("?").values_list(
            "pk", "candidate__name", "candidate__id_number", "entry_institution__name"
        )[:SAMPLE]
    )
    per_page = admin.site._registry[ReviewApplication].list_per_page
    return {
        "detail_ids": [r[0] for r in rows],
        "names": _distinct(r[1] for r in rows)[:TEXT_SAMPLE],
        "id_numbers": _distinct(r[2] for r in rows)[:TEXT_SAMPLE],
        # The 申报单位 filter matches part of the name, as a reviewer types it.
        "institutions": _distinct(r[3][:6] for r in rows)[:TEXT_SAMPLE],
        "list_pages": -(-visible.count() // per_page),
    }


def _distinct(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def plan_build(*, accounts: list[LoadAccount], seed: int) -> dict[str, Any]:
    samples: dict[tuple[int, int | None], dict[str, Any]] = {}  # one per institution
    entries = []
    for account in accounts:
        key = (account.institution_id, account.project_id)
        if key not in samples:
            samples[key] = _scope_sample(account)
        entries.append(
            {
                "username": account.username,
                "tier": account.tier,
                "institution": account.institution,
                **samples[key],
            }
        )
    return {
        "seed": seed,
        "password": BENCH_PASSWORD,
        "paths": _paths(),
        "choices": _choices(),
        "accounts": entries,
    }


def plan_write(plan: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
