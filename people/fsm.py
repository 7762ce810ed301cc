"""The base of every model with a protected django-fsm status field.

django-fsm's `refresh_from_db` lifts the field's `protected` flag on the *field* (shared by
every instance in every thread), reloads, then sets it back. Two threads reloading rows of
the same model at once race on that flag and one of them fails with "Direct status
modification is not allowed" (HTTP 500 on the threaded server). Django also calls
`refresh_from_db` itself to load a deferred field. Here the reload touches only the
instance: the protected values are taken off the instance first, so the descriptor lets the
fresh values in, and the shared flag is never changed.
"""

from collections.abc import Iterable

from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMFieldMixin


class FSMModel(ConcurrentTransitionMixin, models.Model):
    class Meta:
        abstract = True

    def refresh_from_db(
        self,
        using: str | None = None,
        fields: Iterable[str] | None = None,
        from_queryset: models.QuerySet | None = None,
    ) -> None:
        if fields is None:
            # What Django reloads when given no fields: every loaded field, and the cached
            # reverse relations are dropped. Named explicitly because the protected values
            # are about to leave __dict__, which would make Django think them deferred.
            deferred = self.get_deferred_fields()
            fields = [f.attname for f in self._meta.concrete_fields if f.attname not in deferred]
            for relation in self._meta.related_objects:
                if relation.is_cached(self):
                    relation.delete_cached_value(self)
        else:
            fields = list(fields)
        # All of them, whatever `fields` says: ConcurrentTransitionMixin reads every status
        # field of each instance it builds, so Django's fresh copy always carries them and
        # copies them (as django-fsm's own reload does). Named here, because a fresh copy
        # left without one loads it by a query left without another: endless recursion.
        states = [f.attname for f in self._meta.concrete_fields if isinstance(f, FSMFieldMixin)]
        fields += [name for name in states if name not in fields]
        protected = self._get_protected_fsm_fields()
        kept = {name: self.__dict__.pop(name) for name in protected if name in self.__dict__}
        try:
            models.Model.refresh_from_db(
                self, using=using, fields=fields, from_queryset=from_queryset
            )
        finally:
            for name, value in kept.items():
                self.__dict__.setdefault(name, value)
        self._update_initial_state()
