"""Configuration comes from the environment; a bad value stops start-up with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(**env):
    """Import the settings in a fresh interpreter with `env`; return (exit code, stderr)."""
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import prb_partnerships.settings as s; print(s.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, result.stdout + result.stderr


def test_secret_key_is_required_when_debug_is_off():
    code, output = start(DEBUG="0")

    assert code != 0
    assert "SECRET_KEY must be set when DEBUG is off" in output


@pytest.mark.parametrize("value", ["maybe", "2", "tak"])
def test_a_malformed_boolean_stops_start_up(value):
    code, output = start(DEBUG=value, SECRET_KEY="x")

    assert code != 0
    assert f"DEBUG={value!r} is not a boolean" in output


def test_a_malformed_database_url_stops_start_up():
    code, output = start(DEBUG="1", DATABASE_URL="nosuchdb://what")

    assert code != 0
    assert "DATABASE_URL='nosuchdb://what' is not valid" in output


def test_sqlite_is_the_default_and_postgresql_is_read_from_database_url():
    assert start(DEBUG="1") == (0, "django.db.backends.sqlite3\n")
    assert start(DEBUG="1", DATABASE_URL="postgres://u@127.0.0.1:5432/prb") == (
        0,
        "django.db.backends.postgresql\n",
    )
