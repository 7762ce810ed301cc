"""The Excel imports, in a registry: an identifier → an `Importer` (which resource, who may
use it, its option fields, its formats and its ImportLog row).

The admin's 导入 pages (people.admin.imports.PlatformImportMixin) and the background import
job (review/job_imports.py) both build the resource here, so the two cannot drift; the job
needs no request and no admin. The identifier is the admin's model label
("review.referencerecord"): what Job.subject held before the registry, so a job queued then
still runs.

The registry lives in people (below exam and review): each app registers its own importers
in its imports module (people/imports.py, exam/imports.py, review/imports/), loaded by its
AppConfig.ready.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from import_export.results import Result

from core.access_log import Kind, access_record_now
from core.imports.base import IMPORTERS as IMPORTER_LABELS
from core.imports.base import PlatformCSV, PlatformXLSX, ReadLimits, result_counts
from people.models import ImportLog, Institution, ReviewerMembership
from people.permissions import Perm, institutions_with_perm

#: The formats every import reads (xlsx first: the upload form's default order).
IMPORT_FORMATS = (PlatformXLSX, PlatformCSV)


class ImportNotAvailable(Exception):
    """No such import, or not for this user (the admin answers 403, a job is refused)."""


def user_institution(user) -> Institution | None:
    """The institution the user belongs to (None for the superuser), as
    people.access.own_institution finds it for a request."""
    if not user.is_authenticated:
        return None
    membership = (
        ReviewerMembership.objects.select_related("institution").filter(user_id=user.pk).first()
    )
    return membership.institution if membership else None


@dataclass(frozen=True)
class Importer:
    identifier: str
    resource_class: type
    #: The permission the user needs on some institution (on the province if
    #: `province_only`): people.access.is_provincial_staff / has_perm_somewhere, per user.
    perm: Perm = Perm.MANAGE
    province_only: bool = True
    #: A plain Form whose fields are added to the upload form and reach the resource as
    #: `options` (e.g. which 对比库).
    options_form_class: type[forms.Form] | None = None

    # --- who ----------------------------------------------------------------------------

    def available_for_user(self, user) -> bool:
        if not user.is_authenticated or not user.is_active or not user.is_staff:
            return False
        if user.is_superuser:
            return True
        institutions = institutions_with_perm(user, self.perm)
        if self.province_only:
            institutions = institutions.filter(tier="province")
        return institutions.exists()

    # --- what ---------------------------------------------------------------------------

    def read_limits(self) -> ReadLimits:
        """At most the import's own columns (plus a margin) and settings.IMPORT_MAX_*."""
        counts = getattr(self.resource_class, "column_count", None)
        return ReadLimits.from_settings(columns=counts() if counts else None)

    def formats(self) -> list:
        """Every reader of an upload (preview, 确认导入, the row count, the job) gets its
        formats here, within the import's read limits."""
        limits = self.read_limits()
        return [f.with_limits(limits) for f in IMPORT_FORMATS if f().can_import()]

    def options_from_values(self, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The options the user chose (the upload form's raw values, as the job keeps them in
        Job.params["options"]), cleaned again now; None if they are no longer valid."""
        if self.options_form_class is None:
            return {}
        data = QueryDict(mutable=True)
        for key, value in values.items():
            data.setlist(key, value if isinstance(value, list) else [value])
        form = self.options_form_class(data)
        if not form.is_valid():
            return None
        return self.options_from_cleaned(form.cleaned_data)

    def options_from_cleaned(self, cleaned: Mapping[str, Any] | None) -> dict[str, Any]:
        if self.options_form_class is None or not cleaned:
            return {}
        names = self.options_form_class.base_fields
        return {name: cleaned.get(name) for name in names if name in cleaned}

    def resource_kwargs(self, *, user, options: Mapping[str, Any]) -> dict[str, Any]:
        return {"actor": user, "institution": user_institution(user), "options": dict(options)}

    def resource(self, *, user, options: Mapping[str, Any], on_row: Callable | None = None):
        kwargs = self.resource_kwargs(user=user, options=options)
        if on_row is not None:
            kwargs["on_row"] = on_row
        return self.resource_class(**kwargs)

    def import_data_kwargs(self) -> dict[str, Any]:
        # All or nothing: any invalid row rolls the whole file back.
        return {"rollback_on_validation_errors": True, "use_transactions": True}

    # --- the record ---------------------------------------------------------------------

    def log(
        self,
        *,
        user,
        result: Result,
        outcome: str,
        file_name: str,
        sha256: str,
        origin: Mapping[str, Any] | None = None,
    ) -> ImportLog:
        """The import's record (导入记录), and the same import in the access log (个人信息访问
        记录) with the user's address and institution (`origin`: core.access_log.access_origin
        in the request, or what the job saved when it was asked for)."""
        counts = result_counts(result)
        institution = user_institution(user)
        key = getattr(self.resource_class, "importer_key", "") or self.identifier
        entry = ImportLog.objects.create(
            importer=key,
            actor=user,
            institution=institution,
            file_name=(file_name or "")[:255],
            sha256=sha256,
            outcome=outcome,
            new_count=counts["new"],
            updated_count=counts["update"],
            unchanged_count=counts["skip"],
            error_count=counts["error"],
        )
        access_record_now(
            kind=Kind.IMPORT,
            user=user,
            origin={
                "institution_id": institution.pk if institution else None,
                "institution_name": institution.name if institution else "",
                **(origin or {}),
            },
            what=f"{IMPORTER_LABELS.get(key, key)}：{file_name}",
            row_count=sum(counts.values()),
            data={"file_name": file_name, "outcome": outcome, "counts": counts},
        )
        return entry


IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    IMPORTERS[importer.identifier] = importer
    return importer


def importer_get(identifier: str) -> Importer:
    try:
        return IMPORTERS[identifier]
    except KeyError as exc:
        raise ImportNotAvailable("没有该导入。") from exc


def importer_for_user(*, identifier: str, user) -> Importer:
    """The importer of `identifier` if `user` may use it; ImportNotAvailable otherwise."""
    importer = importer_get(identifier)
    if not importer.available_for_user(user):
        raise ImportNotAvailable("您已没有导入权限，任务未执行。")
    return importer
