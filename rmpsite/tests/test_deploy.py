"""The production deployment: .env.example, docker-compose.yml and the production settings.

Settings are read once per process, so the production settings run in a subprocess, with
the environment .env.example gives (and the DATABASE_URL docker-compose.yml builds from it).
The compose tests need Debian's docker-compose (no Docker engine: `config` only validates
and interpolates the file); they skip without it unless REQUIRE_DOCKER_COMPOSE is set.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from django.conf import settings

ROOT = settings.BASE_DIR
ENV_EXAMPLE = ROOT / ".env.example"
COMPOSE_FILE = ROOT / "docker-compose.yml"
SETTINGS_FILES = [ROOT / "rmpsite" / "settings" / name for name in ("base.py", "production.py")]
# Read by base.py but fixed by production.py, so not a production setting.
NOT_IN_PRODUCTION = {"DJANGO_DEBUG"}
# The variables the environment of a subprocess keeps from ours.
SYSTEM_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def read_env_file(path):
    """KEY=VALUE lines, as docker-compose reads an env file: comments and blanks skipped."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, separator, value = line.partition("=")
            assert separator and key == key.strip() and key.isupper(), f"bad line: {line!r}"
            values[key] = value
    return values


def example_environment():
    """What the web container gets from .env.example (docker-compose.yml builds the URLs of
    the application's role, DATABASE_URL, and of the owner, MIGRATE_DATABASE_URL)."""
    values = read_env_file(ENV_EXAMPLE)
    name = values["POSTGRES_DB"]

    def url(role):
        user, password = values[f"DATABASE_{role}_USER"], values[f"DATABASE_{role}_PASSWORD"]
        return f"postgres://{user}:{password}@db:5432/{name}"

    return {**values, "DATABASE_URL": url("APP"), "MIGRATE_DATABASE_URL": url("OWNER")}


def database_variables(names):
    """The variables only the db container gets: the superuser's and the two roles'."""
    return {
        name
        for name in names
        if name.startswith(("POSTGRES_", "DATABASE_")) and name not in {"DATABASE_URL"}
    }


def clean_environment(**values):
    """Our system variables and ``values``: nothing else from the test run (its DATABASE_URL)."""
    system = {name: os.environ[name] for name in SYSTEM_VARIABLES if name in os.environ}
    return {**system, **values}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args, "--settings=rmpsite.settings.production"],
        cwd=ROOT,
        env=clean_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_variables():
    """Every environment variable the production settings read."""
    pattern = re.compile(r"\benv(?:_bool|_list)?\(\s*\"([A-Z0-9_]+)\"")
    names = set()
    for path in SETTINGS_FILES:
        names.update(pattern.findall(path.read_text()))
    return names - NOT_IN_PRODUCTION


# The production settings


def test_the_deploy_check_is_clean_with_the_example_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=example_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("DJANGO_SECRET_KEY", "Set the DJANGO_SECRET_KEY environment variable."),
        ("DATABASE_URL", "Set the DATABASE_URL environment variable."),
        ("DJANGO_ALLOWED_HOSTS", "Set DJANGO_ALLOWED_HOSTS to the host names the site answers to."),
    ],
)
@pytest.mark.parametrize("missing", ["unset", "empty"])
def test_production_refuses_to_start_without_a_required_setting(variable, message, missing):
    env = example_environment()
    if missing == "unset":
        del env[variable]
    else:
        env[variable] = ""
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr


def test_a_weakened_security_setting_fails_the_deploy_check():
    """docker/start.sh runs this check first, so such a container never serves a request."""
    env = {**example_environment(), "DJANGO_SECURE_HSTS_SECONDS": "0"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "(security.W004) You have not set a value for the SECURE_HSTS_SECONDS" in result.stderr


def test_a_mistyped_boolean_fails_rather_than_falling_back():
    env = {**example_environment(), "DJANGO_SECURE_SSL_REDIRECT": "ture"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECURE_SSL_REDIRECT must be true or false, not 'ture'." in result.stderr


def test_a_mistyped_render_rate_fails_rather_than_limiting_nothing():
    env = {**example_environment(), "DJANGO_PUBLIC_RENDER_RATE": "60 per minute"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_PUBLIC_RENDER_RATE must be count/period such as 60/m" in result.stderr


# .env.example and docker-compose.yml agree with the settings


def compose_definition():
    return yaml.safe_load(COMPOSE_FILE.read_text())


def test_every_production_setting_is_passed_to_the_web_container():
    web = set(compose_definition()["services"]["web"]["environment"])
    start_script = (ROOT / "docker" / "start.sh").read_text()
    gunicorn = set(re.findall(r"\$\{(GUNICORN_[A-Z_]+):-", start_script)) - {"GUNICORN_BIND"}
    assert gunicorn == {"GUNICORN_WORKERS", "GUNICORN_THREADS"}
    missing = (settings_variables() | gunicorn) - web
    assert not missing, f"add {sorted(missing)} to docker-compose.yml and .env.example"


def test_env_example_lists_exactly_what_docker_compose_reads():
    referenced = set(re.findall(r"\$\{([A-Z0-9_]+)", COMPOSE_FILE.read_text()))
    assert set(read_env_file(ENV_EXAMPLE)) == referenced
    assert "DJANGO_SETTINGS_MODULE" not in referenced  # fixed to the production settings


# docker-compose itself


@pytest.fixture
def docker_compose():
    path = shutil.which("docker-compose")
    if path is None:
        if os.environ.get("REQUIRE_DOCKER_COMPOSE"):
            pytest.fail("REQUIRE_DOCKER_COMPOSE is set but docker-compose is missing.")
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    return path


def compose_config(docker_compose, env_file):
    return subprocess.run(
        [docker_compose, "-f", str(COMPOSE_FILE), "--env-file", str(env_file), "config"],
        cwd=ROOT,
        env=clean_environment(),  # interpolated from env_file alone
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_docker_compose_accepts_the_file_with_the_example_environment(docker_compose):
    result = compose_config(docker_compose, ENV_EXAMPLE)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    db, web = config["services"]["db"], config["services"]["web"]

    assert db["image"] == "postgres:16"
    assert db["volumes"] == [
        "pgdata:/var/lib/postgresql/data:rw",
        f"{ROOT / 'docker' / 'initdb'}:/docker-entrypoint-initdb.d:ro",
    ]
    assert "pgdata" in config["volumes"]
    assert db["healthcheck"]["test"][1] == 'pg_isready -U "$$POSTGRES_USER" -d "$$POSTGRES_DB"'

    example = example_environment()
    postgres = database_variables(example)
    assert web["environment"] == {
        **{name: value for name, value in example.items() if name not in postgres},
        "DJANGO_SETTINGS_MODULE": "rmpsite.settings.production",
    }
    assert db["environment"] == {name: example[name] for name in postgres}
    assert web["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert web["healthcheck"]["test"] == ["CMD", "python", "docker/healthcheck.py"]
    assert web["ports"] == ["127.0.0.1:8000:8000/tcp"]  # the host's loopback only
    for service in (db, web):
        assert service["logging"]["options"] == {"max-size": "10m", "max-file": "5"}


def test_docker_compose_refuses_an_env_file_without_the_secret_key(docker_compose, tmp_path):
    env_file = tmp_path / "env"
    env = read_env_file(ENV_EXAMPLE)
    del env["DJANGO_SECRET_KEY"]
    env_file.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
    result = compose_config(docker_compose, env_file)
    assert result.returncode != 0
    assert "set DJANGO_SECRET_KEY in .env" in result.stderr
