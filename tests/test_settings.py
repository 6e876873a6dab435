import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "PYTEST_VERSION"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_site_speaks_german_and_shows_dates_as_tt_mm_jjjj():
    assert settings.LANGUAGE_CODE == "de"
    assert settings.TIME_ZONE == "Europe/Berlin"
    assert settings.WAGTAIL_DATE_FORMAT == "%d.%m.%Y"
    assert settings.DATE_FORMAT == "d.m.Y"


def test_users_log_in_by_email():
    from django.contrib.auth import get_user_model

    assert settings.AUTH_USER_MODEL == "aqb_monitoring.User"
    assert get_user_model().USERNAME_FIELD == "email"


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="x" * 20 + "production-secret-key-0123456789!abc",
        ALLOWED_HOSTS="aqb.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_key_without_debug_refuses_to_serve():
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "PYTEST_VERSION"}}
    result = subprocess.run(
        [sys.executable, "-c", "import aqb_site.wsgi"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY fehlt" in result.stderr


def test_missing_secret_key_fails_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", ALLOWED_HOSTS="aqb.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_commands_without_a_key_still_run_without_debug():
    result = run_manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_wsgi_application_starts_with_a_key():
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PYTEST_VERSION"}}
    environment["SECRET_KEY"] = "x" * 50
    result = subprocess.run(
        [sys.executable, "-c", "import aqb_site.wsgi; print(callable(aqb_site.wsgi.application))"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )
    assert result.stdout.strip() == "True", result.stderr


@pytest.mark.parametrize(
    ("url", "engine"),
    [("postgres://aqb:pw@db.example.org:5432/aqb", "django.db.backends.postgresql"), ("", "django.db.backends.sqlite3")],
)
def test_database_url_switches_the_engine(url, engine):
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if url:
        env["DATABASE_URL"] = url
    env["DJANGO_SETTINGS_MODULE"] = "aqb_site.settings"
    env["DEBUG"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.strip() == engine, result.stderr
