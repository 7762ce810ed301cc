"""The review pages' image viewer (review/admin/image_viewer.html, image-viewer.js): each
image shown as its private thumbnail, opened full size in a viewer that zooms, pans and
rotates; a rotation is saved for the file (review.file_display) and shown to the next
reviewer too.
"""

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, JsonResponse

from core.errors import ServiceError
from core.thumbnails import rotations_for
from exam.models import Application
from people.access import own_institution
from review.file_display import file_rotation_set


def _file_links(context: dict[str, Any]) -> Iterator[Any]:
    """Every image link the detail page shows (review.admin.detail.FileLink)."""
    if context.get("photo"):
        yield context["photo"]
    for block in context.get("sections", []):
        yield from block.files
        yield from (card.file for card in block.materials if card.file)
    for item in context.get("recommenders", []):
        if item.get("signature"):
            yield item["signature"]


def detail_viewer_context(context: dict[str, Any]) -> dict[str, Any]:
    """Gives every image link of the detail page its saved rotation (one query) and its
    rotate URL; the page's `image_viewer` context key."""
    links = [link for link in _file_links(context) if link.is_image]
    rotations = rotations_for(names=[link.name for link in links])
    for link in links:
        link.rotation = rotations.get(link.name, 0)
        link.rotate_url = f"{link.url}rotate/"
    return {"count": len(links)}


def rotation_post(
    request: HttpRequest, *, application: Application, kind: str, obj_id: int
) -> JsonResponse:
    """The viewer's POST: {"rotation": 90} back, or {"error": "…"} with 400. The caller has
    found the application (or material) within the user's scope (else 404)."""
    try:
        rotation = int(request.POST.get("rotation", ""))
    except ValueError:
        rotation = -1
    try:
        row = file_rotation_set(
            actor=request.user,
            application=application,
            kind=kind,
            obj_id=obj_id,
            rotation=rotation,
            institution=own_institution(request),
        )
    except ServiceError as exc:
        return JsonResponse({"error": exc.message}, status=400)
    return JsonResponse({"rotation": row.rotation})
