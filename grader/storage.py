"""Where uploads, model-check plots and bundle files are kept: Django's storage API, backed by the data dir's
media folder or by an S3-compatible bucket (django-storages) that the hosts of a multi-host deployment share.

Nothing stored is ever served by URL: downloads go through the app's permission checks (a student's upload or
plot reaches only those who may see it), so the bucket is private and URLs carry no signature.
"""
from __future__ import annotations


def storage_backend(bucket: str = "", endpoint_url: str = "", region: str = "", access_key_id: str = "",
                    secret_access_key: str = "", prefix: str = "") -> dict:
    """The STORAGES["default"] entry: the filesystem (MEDIA_ROOT) without a bucket, else S3Storage on `bucket`.
    Empty strings mean "not given": AWS's own endpoint, boto3's region and credential chain, no key prefix."""
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key_id or None,
            "secret_key": secret_access_key or None,
            "location": prefix,
            "addressing_style": "path",  # MinIO, Ceph and the like as well as AWS
            "default_acl": "private",
            "querystring_auth": False,
            "file_overwrite": False,  # a second file of one name gets a new name, as on the filesystem
        },
    }


def serve(stored, filename: str | None = None, as_attachment: bool = False, content_type: str | None = None):
    """The response for a stored file (a FieldFile) whose reader the caller has already checked. Raises Http404
    when the file is gone.

    With GRADER_ACCEL_REDIRECT_PREFIX set (nginx in front, deploy/nginx.conf) and the filesystem storage, the
    response is empty and its X-Accel-Redirect header names the file under nginx's internal location, so nginx
    sends the bytes and no Python process holds the download; nginx refuses that location to anyone who asks
    for it directly. Otherwise the bytes come through Django (FileResponse), as they must from a bucket."""
    import mimetypes
    from urllib.parse import quote

    from django.conf import settings
    from django.core.files.storage import FileSystemStorage
    from django.http import FileResponse, Http404, HttpResponse
    from django.utils.http import content_disposition_header

    prefix = getattr(settings, "GRADER_ACCEL_REDIRECT_PREFIX", "")
    if prefix and isinstance(stored.storage, FileSystemStorage):
        if not stored.storage.exists(stored.name):
            raise Http404("The stored file is gone.")
        guessed = content_type or mimetypes.guess_type(filename or stored.name)[0] or "application/octet-stream"
        response = HttpResponse(content_type=guessed)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(stored.name)
        disposition = content_disposition_header(as_attachment, filename or stored.name.rsplit("/", 1)[-1])
        if disposition:
            response["Content-Disposition"] = disposition
        return response
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is gone.") from None
    return FileResponse(handle, as_attachment=as_attachment, filename=filename or "", content_type=content_type)
