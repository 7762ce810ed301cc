"""The S3-compatible storage of a deployment on several machines (settings: HBWSRC_S3_BUCKET).

Stored files are personal data and leave the platform only through a view that checked who
asks (core.files). On disk, MEDIA_URL is never routed; here too a file has no usable URL: a
presigned link would let anyone holding it read the object, past every permission check.
"""

from __future__ import annotations

from botocore.exceptions import ClientError
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage

NOT_SERVED = "/private-media-not-served/"


class PrivateS3Storage(S3Storage):
    """S3Storage with private objects and no links (url() names a path nothing serves)."""

    default_acl = "private"
    querystring_auth = False

    def url(self, name, parameters=None, expire=None, http_method=None) -> str:
        return NOT_SERVED + filepath_to_uri(name or "")

    def get_modified_time(self, name):
        """As on disk, a file that is not there raises FileNotFoundError (not ClientError)."""
        try:
            return super().get_modified_time(name)
        except ClientError as err:
            if err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from err
            raise
