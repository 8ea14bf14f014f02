"""Settings from the environment: typed readers that fail loudly, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parent.parent


def refused(reader, name: str, value: str, **kwargs) -> str:
    with pytest.raises(ImproperlyConfigured) as error:
        reader(name, environ={name: value}, **kwargs)
    message = str(error.value)
    assert name in message
    return message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("True", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("NO", False),
        ("off", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(value, expected):
    assert env.env_bool("DEBUG", not expected, environ={"DEBUG": value}) is expected


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_or_blank_takes_the_default(default):
    assert env.env_bool("DEBUG", default, environ={}) is default
    assert env.env_bool("DEBUG", default, environ={"DEBUG": "  "}) is default


@pytest.mark.parametrize("value", ["maybe", "2", "yess", "tru"])
def test_env_bool_refuses_anything_else(value):
    refused(env.env_bool, "DEBUG", value, default=True)


def test_env_int():
    assert env.env_int("WORKERS", 4, environ={"WORKERS": " 12 "}) == 12
    assert env.env_int("WORKERS", 4, environ={}) == 4
    assert env.env_int("WORKERS", 4, minimum=0, environ={"WORKERS": "0"}) == 0


@pytest.mark.parametrize("value", ["ten", "1.5", "0x10", "7 days"])
def test_env_int_refuses_what_is_not_a_whole_number(value):
    assert "whole number" in refused(env.env_int, "REOPEN_WINDOW_DAYS", value, default=7)


def test_env_int_refuses_below_the_minimum():
    message = refused(env.env_int, "REOPEN_WINDOW_DAYS", "-1", default=7, minimum=0)
    assert "at least 0" in message


def test_env_list():
    environ = {"ALLOWED_HOSTS": "grid.example, www.grid.example"}
    assert env.env_list("ALLOWED_HOSTS", [], environ=environ) == [
        "grid.example",
        "www.grid.example",
    ]
    default = ["localhost"]
    read = env.env_list("ALLOWED_HOSTS", default, environ={})
    assert read == ["localhost"] and read is not default


@pytest.mark.parametrize("value", ["a,,b", "a,", ",a", " , "])
def test_env_list_refuses_empty_items(value):
    refused(env.env_list, "ALLOWED_HOSTS", value, default=[])


def test_env_str():
    assert env.env_str("SECRET_KEY", environ={"SECRET_KEY": " s3cret "}) == "s3cret"
    assert env.env_str("SECRET_KEY", "dev", environ={"SECRET_KEY": ""}) == "dev"
    assert env.env_str("SECRET_KEY", environ={}) is None


def test_env_timezone():
    assert env.env_timezone("TIME_ZONE", "Asia/Shanghai", environ={}) == "Asia/Shanghai"
    assert env.env_timezone("TIME_ZONE", "UTC", environ={"TIME_ZONE": "Europe/Paris"}) == (
        "Europe/Paris"
    )


@pytest.mark.parametrize("value", ["Mars/Olympus", "Asia/Shangai", "../etc/passwd", "GMT+8 "])
def test_env_timezone_refuses_unknown_zones(value):
    refused(env.env_timezone, "TIME_ZONE", value, default="Asia/Shanghai")


def test_database_unset_is_the_embedded_sqlite(tmp_path):
    config = env.env_database("DATABASE_URL", tmp_path / "db.sqlite3", environ={})
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")
    # Tests run on a file beside it, never the shared-cache in-memory database.
    assert config["TEST"]["NAME"] == str(tmp_path / "test-db.sqlite3")


def test_embedded_sqlite_lets_a_second_writer_wait_for_the_first(tmp_path):
    """The live server, the request threads and the in-process scheduler write to one SQLite
    file: a writer that finds it locked must wait for the commit, not fail the request."""
    import sqlite3
    import threading

    config = env.env_database("DATABASE_URL", tmp_path / "db.sqlite3", environ={})
    options = config["OPTIONS"]

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(
            config["NAME"], timeout=options["timeout"], isolation_level=None
        )
        connection.executescript(options["init_command"])
        return connection

    first = connect()
    first.execute("CREATE TABLE note (body TEXT)")
    assert first.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    first.execute("BEGIN IMMEDIATE")
    first.execute("INSERT INTO note VALUES ('first')")
    outcome: list[object] = []

    def second_writer() -> None:
        try:
            second = connect()
            second.execute("BEGIN IMMEDIATE")
            second.execute("INSERT INTO note VALUES ('second')")
            second.execute("COMMIT")
            outcome.append("written")
        except sqlite3.Error as exc:  # what a failed request would have shown
            outcome.append(exc)

    writer = threading.Thread(target=second_writer)
    writer.start()
    writer.join(0.3)
    assert writer.is_alive() and not outcome  # waiting on the lock, not failed
    first.execute("COMMIT")
    writer.join(10)
    assert outcome == ["written"]
    assert [row[0] for row in first.execute("SELECT body FROM note ORDER BY rowid")] == [
        "first",
        "second",
    ]


def test_database_postgres_url(tmp_path):
    url = "postgresql://grid:p%40ss@db.internal:6543/grid_prod?sslmode=require"
    config = env.env_database("DATABASE_URL", tmp_path / "x", environ={"DATABASE_URL": url})
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("grid_prod", "grid", "p@ss")
    assert (config["HOST"], config["PORT"]) == ("db.internal", "6543")
    assert config["OPTIONS"]["sslmode"] == "require"
    # A pool per process, never persistent per-thread connections (they pile up under ASGI).
    assert config["CONN_MAX_AGE"] == 0
    assert config["OPTIONS"]["pool"]["max_size"] == 10


def test_database_pool_size_zero_means_a_connection_per_request(tmp_path):
    url = "postgresql://grid@db.internal/grid_prod"
    config = env.env_database(
        "DATABASE_URL", tmp_path / "x", pool_size=0, environ={"DATABASE_URL": url}
    )
    assert "pool" not in config["OPTIONS"]
    assert config["CONN_MAX_AGE"] == 0


def test_database_postgres_without_port_or_password(tmp_path):
    config = env.env_database(
        "DATABASE_URL", tmp_path / "x", environ={"DATABASE_URL": "postgres://postgres@localhost/g"}
    )
    assert (config["HOST"], config["PORT"], config["PASSWORD"], config["NAME"]) == (
        "localhost",
        "",
        "",
        "g",
    )


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("sqlite:///var/other.sqlite3", "var/other.sqlite3"),
        ("sqlite:////srv/grid/db.sqlite3", "/srv/grid/db.sqlite3"),
    ],
)
def test_database_sqlite_url(tmp_path, url, name):
    config = env.env_database("DATABASE_URL", tmp_path / "x", environ={"DATABASE_URL": url})
    assert (config["ENGINE"], config["NAME"]) == ("django.db.backends.sqlite3", name)


@pytest.mark.parametrize(
    "url",
    [
        "garbage",
        "mysql://root@localhost/grid",
        "postgresql://localhost",  # no database
        "postgresql:///grid",  # no host
        "postgresql://u@host:port/grid",  # port not a number
        "postgresql://u@host:99999/grid",  # port out of range
        "sqlite://",
        "sqlite://host/path.db",
    ],
)
def test_database_garbage_is_refused(tmp_path, url):
    with pytest.raises(ImproperlyConfigured) as error:
        env.env_database("DATABASE_URL", tmp_path / "x", environ={"DATABASE_URL": url})
    assert "DATABASE_URL" in str(error.value)


def test_redis_url():
    assert env.env_redis_url("REDIS_URL", environ={}) is None
    url = "redis://127.0.0.1:6379/3"
    assert env.env_redis_url("REDIS_URL", environ={"REDIS_URL": url}) == url
    assert env.env_redis_url("REDIS_URL", environ={"REDIS_URL": "rediss://cache:6380/0"})


@pytest.mark.parametrize(
    "url",
    ["garbage", "http://127.0.0.1:6379/0", "redis://", "redis://host:port/0", "localhost:6379"],
)
def test_redis_garbage_is_refused(url):
    refused(env.env_redis_url, "REDIS_URL", url)


def _manage(*args: str, **environ: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    clean.update(environ)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_malformed_variable_stops_start_up_naming_it():
    result = _manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr
    assert "maybe" in result.stderr


def test_production_without_a_secret_key_does_not_start():
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


PRODUCTION = {
    # The documented production configuration (README, "Production settings").
    "SECRET_KEY": "x7Kq-production-like-secret-key-that-is-long-and-random-0123456789",
    "ALLOWED_HOSTS": "grid.example.org",
    "HTTPS": "true",
    "TRUSTED_PROXY_COUNT": "1",
    "DATABASE_URL": "postgresql://grid@db.invalid:5432/grid",
    "REDIS_URL": "redis://cache.invalid:6379/0",
}


def _production(*args: str, **environ: str) -> subprocess.CompletedProcess:
    environ = {
        **PRODUCTION,
        "DJANGO_SETTINGS_MODULE": "config.settings",  # not the test run's own
        "ALLOW_DEBUG_WITH_SERVICES": "",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",  # the browser tests' (same worker), not production's
        **environ,
    }
    return _manage(*args, **environ)


def test_check_deploy_is_clean_in_the_production_configuration():
    result = _production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_on_hsts_and_secure_cookies():
    code = (
        "from django.conf import settings as s; print(s.DEBUG, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.LANGUAGE_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = _production("shell", "-v", "0", "-c", code)
    assert result.stdout.split() == [
        "False",
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ], result.stderr
    # Without a trusted proxy, a client's X-Forwarded-Proto is not believed.
    result = _production("shell", "-v", "0", "-c", code, TRUSTED_PROXY_COUNT="0")
    assert result.stdout.split()[-1] == "None", result.stderr


def test_a_deployment_that_forgets_debug_has_it_off():
    result = _production(
        "shell", "-v", "0", "-c", "from django.conf import settings; print(settings.DEBUG)"
    )
    assert result.stdout.strip() == "False", result.stderr


def test_debug_next_to_real_services_must_be_confirmed():
    result = _production("check", DEBUG="true")
    assert result.returncode != 0
    assert "ALLOW_DEBUG_WITH_SERVICES" in result.stderr
    result = _production("check", DEBUG="true", ALLOW_DEBUG_WITH_SERVICES="true")
    assert result.returncode == 0, result.stderr


def test_the_embedded_demo_keeps_debug_on():
    clean = {"DATABASE_URL": "", "REDIS_URL": "", "DJANGO_SETTINGS_MODULE": "config.settings"}
    code = "from django.conf import settings; print(settings.DEBUG)"
    assert _manage("shell", "-v", "0", "-c", code, **clean).stdout.strip() == "True"


def test_every_cookie_is_secure_behind_https(client, people, settings):
    """What HTTPS=true sets (see the test above), as a browser receives it."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.LANGUAGE_COOKIE_SECURE = True
    client.get("/accounts/login/")
    assert client.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True
    response = client.post(
        "/accounts/login/", {"username": "citizen", "password": "pw-citizen"}, secure=True
    )
    assert response.cookies[settings.SESSION_COOKIE_NAME]["secure"] is True
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["secure"] is True
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["secure"] is True
