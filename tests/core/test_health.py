"""The health endpoint reports the database and the broker."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["database_vendor"] in {"sqlite", "postgresql"}


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings, tmp_path):
    settings.BROKER_DIR = tmp_path / "missing"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405
