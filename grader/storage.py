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
