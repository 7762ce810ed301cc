"""Paths of the public candidate site that other parts of the platform link to.

The candidate site's URLconf routes these; the admin (本单位确认码 QR code) builds links
from them, so a path changes in this one place.
"""

from urllib.parse import urlencode

# Where a candidate binds an application to a unit with its 本单位确认码.
BIND_PATH = "/apply/bind/"


def bind_path(code: str) -> str:
    """The binding page with the confirmation code filled in (a site-relative URL)."""
    return f"{BIND_PATH}?{urlencode({'code': code})}"
