"""Media on S3-compatible storage when configured, so that every app server sees every upload."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = (
    "from django.core.files.storage import storages; s = storages['default']; "
    "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.querystring_auth, "
    "s.url('heroes/a.jpg'))"
)


def storage_with(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_MEDIA_S3_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SCRIPT],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_media_go_to_the_s3_bucket_when_configured():
    name, bucket, endpoint, signed, url = storage_with(
        NEWSROOM_MEDIA_S3_BUCKET="newsroom-media",
        NEWSROOM_MEDIA_S3_ENDPOINT_URL="https://s3.example.net",
        NEWSROOM_MEDIA_S3_CUSTOM_DOMAIN="media.example.net",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
    )
    assert (name, bucket, endpoint, signed) == (
        "S3Storage",
        "newsroom-media",
        "https://s3.example.net",
        "False",
    )
    assert url == "https://media.example.net/media/heroes/a.jpg"


def test_media_stay_on_the_local_disk_by_default():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.core.files.storage import storages; "
            "print(type(storages['default']).__name__)",
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_MEDIA_S3_")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["FileSystemStorage"]
