"""``/healthz`` and ``/readyz``: public, JSON, no personal data; ready only with the database,
every migration and the right keys."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from jumin.runtime.health import fingerprint
from jumin.runtime.models import KeyFingerprint


@pytest.mark.django_db
def test_healthz_answers_without_login_and_without_the_database(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_is_ready_with_the_database_the_migrations_and_the_keys(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "keys": "ok"}}
    # the first ready check recorded which keys the database is written with
    assert set(KeyFingerprint.objects.values_list("name", flat=True)) == {"data_key", "lookup_key", "audit_key"}
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_is_not_ready_with_a_migration_not_applied(client: Client) -> None:
    MigrationRecorder(connection).migration_qs.filter(app="runtime", name="0001_initial").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not_ready",
        "checks": {"database": "ok", "migrations": "1 pending", "keys": "unknown (migrations)"},
    }


@pytest.mark.django_db
def test_readyz_is_not_ready_with_other_keys_than_the_database_was_written_with(client: Client) -> None:
    """A second server started without the keys generates its own: it must not serve."""
    KeyFingerprint.objects.create(name="data_key", fingerprint=fingerprint(b"\x01" * 32))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["keys"] == "data_key differs from the key the database was written with"


@pytest.mark.django_db
def test_the_probes_are_exempt_from_the_https_redirect_and_other_pages_are_not(client: Client, settings: Any) -> None:
    """As in jumin.settings.production (the probes ask over plain HTTP on the box)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
