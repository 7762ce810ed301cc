from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django_fsm import ConcurrentTransition


class ServiceError(Exception):
    """A refused action. `message` is Chinese and shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


CONFLICT_MESSAGE = "该申报刚刚已被他人处理，本次操作未保存。请刷新页面后查看最新状态。"


@contextmanager
def atomic_or_conflict(message: str = CONFLICT_MESSAGE) -> Iterator[None]:
    """A service's transaction: everything in the block or nothing. A concurrent change
    found by a protected status field (django-fsm's ConcurrentTransition: someone else
    changed the row since it was read) rolls the block back and refuses the action with
    `message`, so every state-changing service reports a race the same way."""
    try:
        with transaction.atomic():
            yield
    except ConcurrentTransition as exc:
        raise ServiceError(message) from exc
