"""Demo physicians' mobile numbers (seed_demo): the teacher's SMS code goes there, i.e. to
the 短信发送记录 outbox in the admin (`make demo`)."""

from people.models import Physician


def physician_phone(index: int) -> str:
    """136 0000 0000, 136 0000 0001, …: generated, the same every time."""
    return f"1360000{index:04d}"


def backfill_phones(planned: list[Physician]) -> None:
    """Demo databases seeded before the registry had phone numbers get them now."""
    phones = {p.id_number: p.phone for p in planned}
    lacking = Physician.objects.filter(id_number__in=phones, phone="")
    for number in lacking.values_list("id_number", flat=True):
        Physician.objects.filter(id_number=number).update(phone=phones[number])
