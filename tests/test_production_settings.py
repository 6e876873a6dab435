"""Production mode: the settings a deployment gets from its environment, and the headers every answer carries.

Settings are read once per process, so the environment-driven ones are checked in a child
process that imports them with a given environment; the headers through the test client.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {"SECRET_KEY": "x" * 20 + "production-secret-key-0123456789!abc", "ALLOWED_HOSTS": "aqb.example.org"}


def production_settings(*names, **env):
    """The named settings as a child process without DEBUG and outside pytest sees them."""
    environment = {
        k: v for k, v in os.environ.items()
        if k not in {"DEBUG", "PYTEST_VERSION", "DB_CONN_MAX_AGE", "SECURE_PROXY_SSL_HEADER", "DATABASE_URL"}
        and not k.startswith(("AQB_S3", "AQB_STORAGE", "AQB_MANIFEST", "AQB_PRODUCTION"))
    }
    environment.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="aqb_site.settings", **env)
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True,
                            text=True, timeout=120)
    if result.returncode != 0:
        return {"error": result.stderr}
    return json.loads(result.stdout.strip().splitlines()[-1])


def directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


# ---------------------------------------------------------------------------
# Headers
# ---------------------------------------------------------------------------


def test_the_public_site_forbids_inline_scripts_and_frames(client):
    response = client.get("/suche/")
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_public_page_of_the_page_tree_carries_the_strict_policy(client, public_site):
    response = client.get("/")
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    assert "<script>" not in html and " style=" not in html and "<style" not in html


def test_the_german_404_page_carries_the_strict_policy(client):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_the_admin_may_be_framed_by_itself_for_the_page_preview(client, rp_editor):
    client.force_login(rp_editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["default-src"] == ["'self'"]


def test_the_admin_login_page_gets_the_admin_policy_not_none(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
                   SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_the_proxy_https_answers_carry_hsts_and_plain_http_is_redirected(client):
    secure = client.get("/suche/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    plain = client.get("/suche/")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=None)
def test_without_the_proxy_setting_a_forged_header_does_not_count_as_https(client):
    response = client.get("/suche/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301


# ---------------------------------------------------------------------------
# Settings from the environment
# ---------------------------------------------------------------------------


def test_production_defaults_keep_connections_60_seconds_with_health_checks():
    values = production_settings("DATABASES", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                                 "SECURE_HSTS_SECONDS", "X_FRAME_OPTIONS", "STORAGES", "WAGTAILDOCS_SERVE_METHOD")
    assert "error" not in values, values.get("error")
    database = values["DATABASES"]["default"]
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert values["WAGTAILDOCS_SERVE_METHOD"] == "serve_view"


def test_the_connection_lifetime_comes_from_the_environment():
    values = production_settings("DATABASES", DB_CONN_MAX_AGE="0")
    assert values["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize(("value", "expected"), [
    ("X-Forwarded-Proto", ["HTTP_X_FORWARDED_PROTO", "https"]),
    ("HTTP_X_FORWARDED_PROTO", ["HTTP_X_FORWARDED_PROTO", "https"]),
    ("X-Forwarded-Ssl=on", ["HTTP_X_FORWARDED_SSL", "on"]),
])
def test_the_proxy_ssl_header_is_trusted_only_as_the_operator_names_it(value, expected):
    assert production_settings("SECURE_PROXY_SSL_HEADER", SECURE_PROXY_SSL_HEADER=value)["SECURE_PROXY_SSL_HEADER"] == expected


def test_object_storage_puts_files_and_import_uploads_in_separate_places():
    values = production_settings(
        "STORAGES", "CONTENT_SECURITY_POLICY", AQB_STORAGE="s3", AQB_S3_BUCKET="aqb-medien",
        AQB_S3_PRIVATE_BUCKET="aqb-importe", AQB_S3_ENDPOINT_URL="https://objekte.example.org")
    assert "error" not in values, values.get("error")
    default, private = values["STORAGES"]["default"], values["STORAGES"]["private"]
    assert default["BACKEND"] == private["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "aqb-medien"
    assert private["OPTIONS"]["bucket_name"] == "aqb-importe"
    assert private["OPTIONS"]["location"] == "private"
    assert default["OPTIONS"]["querystring_auth"] is True
    assert "https://objekte.example.org" in values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]


def test_object_storage_without_a_private_bucket_uses_a_private_prefix():
    values = production_settings("STORAGES", "CONTENT_SECURITY_POLICY", AQB_STORAGE="s3", AQB_S3_BUCKET="aqb-medien")
    private = values["STORAGES"]["private"]["OPTIONS"]
    assert private["bucket_name"] == "aqb-medien" and private["location"] == "private"
    assert values["STORAGES"]["default"]["OPTIONS"]["location"] == "media"
    # AWS links look like https://aqb-medien.s3.eu-central-1.amazonaws.com/media/…
    assert "https://*.amazonaws.com" in values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]


def test_object_storage_without_a_bucket_stops_with_a_german_message():
    values = production_settings("STORAGES", AQB_STORAGE="s3")
    assert "AQB_S3_BUCKET" in values["error"] and "braucht" in values["error"]


def test_an_unknown_storage_kind_stops_with_a_german_message():
    assert "kennt nur" in production_settings("STORAGES", AQB_STORAGE="ftp")["error"]


def test_the_failing_page_for_the_production_check_exists_only_when_the_check_asks_for_it():
    code = ("import django; django.setup(); from django.urls import resolve\n"
            "print('da' if resolve('/produktionspruefung/fehler/').func.__name__ == 'failing_page' else 'fehlt')")
    env = {k: v for k, v in os.environ.items() if k != "AQB_PRODUCTION_CHECK_FAILING_URL"}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="aqb_site.settings")
    run = lambda extra: subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, **extra},  # noqa: E731
                                       capture_output=True, text=True, timeout=120).stdout.strip()
    assert run({}) == "fehlt"
    assert run({"AQB_PRODUCTION_CHECK_FAILING_URL": "1"}) == "da"


def test_the_deploy_check_is_clean_behind_a_proxy_too():
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PYTEST_VERSION"}}
    environment.update(PRODUCTION_ENV, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------------------
# Import uploads in an object store (moto stands in for S3)
# ---------------------------------------------------------------------------


@pytest.fixture
def object_store(settings, monkeypatch):
    moto = pytest.importorskip("moto", reason="moto is a test dependency (pyproject.toml [test])")
    import boto3

    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "eu-central-1"}.items():
        monkeypatch.setenv(name, value)
    with moto.mock_aws():
        client = boto3.client("s3", region_name="eu-central-1")
        for bucket in ("aqb-medien", "aqb-importe"):
            client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        common = {"region_name": "eu-central-1", "querystring_auth": True, "file_overwrite": False}
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage",
                        "OPTIONS": {**common, "bucket_name": "aqb-medien", "location": "media"}},
            "private": {"BACKEND": "storages.backends.s3.S3Storage",
                        "OPTIONS": {**common, "bucket_name": "aqb-importe", "location": "private"}},
        }
        yield client


def test_an_import_upload_goes_to_the_private_bucket_and_has_no_address(object_store, measure_a, ze_kassel):
    from django.core.files.base import ContentFile

    from aqb_monitoring.models import ImportJob

    job = ImportJob(measure=measure_a, user=ze_kassel, original_name="liste.xlsx")
    job.file.save("liste.xlsx", ContentFile(b"PK\x03\x04 Teilnehmende"), save=False)
    job.save()
    keys = [item["Key"] for item in object_store.list_objects_v2(Bucket="aqb-importe").get("Contents", [])]
    assert keys == [f"private/{job.file.name}"]
    assert object_store.list_objects_v2(Bucket="aqb-medien").get("KeyCount") == 0
    with pytest.raises(ValueError):
        job.file.url  # noqa: B018
    with job.file.open("rb") as stream:
        assert stream.read() == b"PK\x03\x04 Teilnehmende"


def test_the_reader_gets_a_local_copy_of_an_upload_in_the_object_store(object_store, measure_a, ze_kassel, settings,
                                                                       tmp_path):
    from django.core.files.base import ContentFile

    from aqb_monitoring.imports.reader import _Path
    from aqb_monitoring.models import ImportJob

    settings.AQB_PRIVATE_ROOT = tmp_path
    job = ImportJob(measure=measure_a, user=ze_kassel, original_name="liste.xlsx")
    job.file.save("liste.xlsx", ContentFile(b"PK\x03\x04 Inhalt"), save=False)
    with _Path(job.file) as path:
        assert Path(path).read_bytes() == b"PK\x03\x04 Inhalt"
        assert Path(path).is_relative_to(tmp_path)
    assert not Path(path).exists()


def test_the_daily_purge_finds_stray_uploads_in_the_object_store(object_store, settings, tmp_path):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from aqb_monitoring.excel.housekeeping import purge
    from aqb_monitoring.storage import PrivateStorage

    settings.AQB_PRIVATE_ROOT = tmp_path
    name = PrivateStorage().save("excel-imports/2026/01/verwaist.xlsx", ContentFile(b"PK"))
    report = purge(now=timezone.now() + timedelta(hours=2))
    assert report.stray == [name]
    assert not PrivateStorage().exists(name)
