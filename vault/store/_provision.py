"""The service's own S3 account: everything on its footage bucket, and on the write-once bucket only what
adding a checkpoint or a certificate needs. Delete, version delete, retention bypass and any change to the
bucket itself are denied outright, so the service's own credentials cannot hide a checkpoint behind a
delete marker (an overwrite still adds a version, which verification reads: docs/audit-log.md).

`provision` is run once by the operator with MinIO's root credentials (`beeldkluis store provision`);
`worm_delete_refused` is asked at every production start, which refuses credentials that may delete."""

from __future__ import annotations

from io import BytesIO

from minio import Minio
from minio.credentials import StaticProvider
from minio.error import S3Error
from minio.minioadmin import MinioAdmin

from vault.store._s3 import S3Backend

POLICY = "beeldkluis-app"
PROBE = "checks/delete-probe"


def app_policy(bucket: str, worm_bucket: str) -> dict[str, object]:
    worm, worm_objects = f"arn:aws:s3:::{worm_bucket}", f"arn:aws:s3:::{worm_bucket}/*"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:*"],
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            },
            {
                "Effect": "Allow",
                "Action": [
                    "s3:ListBucket",
                    "s3:ListBucketVersions",
                    "s3:GetBucketLocation",
                    "s3:GetBucketVersioning",
                    "s3:GetBucketObjectLockConfiguration",
                ],
                "Resource": [worm],
            },
            {
                "Effect": "Allow",
                "Action": [
                    "s3:PutObject",
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "s3:GetObjectRetention",
                    "s3:PutObjectRetention",
                ],
                "Resource": [worm_objects],
            },
            {
                "Effect": "Deny",
                "Action": [
                    "s3:DeleteObject",
                    "s3:DeleteObjectVersion",
                    "s3:BypassGovernanceRetention",
                    "s3:PutBucketObjectLockConfiguration",
                    "s3:PutBucketVersioning",
                    "s3:PutBucketPolicy",
                    "s3:DeleteBucketPolicy",
                    "s3:DeleteBucket",
                    "s3:PutLifecycleConfiguration",
                ],
                "Resource": [worm, worm_objects],
            },
        ],
    }


def provision(
    root: S3Backend,
    *,
    root_keys: tuple[str, str],
    secure: bool,
    app_access_key: str,
    app_secret_key: str,
) -> None:
    """As MinIO's root: the buckets (versioned, object-locked), the policy, and the app's account."""
    root.ensure_ready()
    admin = MinioAdmin(
        endpoint=root.endpoint, credentials=StaticProvider(*root_keys), secure=secure
    )
    admin.policy_add(POLICY, policy=app_policy(root.bucket, root.worm_bucket))
    admin.user_add(app_access_key, app_secret_key)
    admin.policy_set(POLICY, user=app_access_key)
    # The probe object the start-up check tries (and must fail) to delete.
    client = root.client
    try:
        client.stat_object(root.worm_bucket, PROBE)
    except S3Error:
        client.put_object(root.worm_bucket, PROBE, BytesIO(b"delete me, if you can"), 21)


def worm_delete_refused(backend: S3Backend) -> bool:
    """Whether these credentials are refused a delete in the write-once bucket (they must be)."""
    client: Minio = backend.client
    try:
        client.remove_object(backend.worm_bucket, PROBE)
    except S3Error as exc:
        return exc.code == "AccessDenied"
    return False
