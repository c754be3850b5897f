"""The provisioning API: the person change log for staff, paginated and filtered, in the
OpenAPI schema; members get 403, anonymous callers 401, bad filters 422."""

import datetime

import pytest
from django.test import Client

from practica.outreach.models import ChangeSource
from practica.outreach.services.lifecycle import create_provisioned_person, deprovision_person
from tests.api.clients import API, token_client
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

URL = f"{API}/outreach/person-changes"


@pytest.fixture
def history():
    people = [
        create_provisioned_person(
            attributes={"email": f"p{number}@example.com"},
            source=ChangeSource.HR_FEED,
            effective_on=datetime.date(2026, 1, number + 1),
        )
        for number in range(3)
    ]
    deprovision_person(
        person=people[0], source=ChangeSource.SCIM, effective_on=datetime.date(2026, 3, 1)
    )
    return people


def test_staff_read_the_change_log_newest_first(staff, history):
    response = token_client(staff).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    newest = body["items"][0]
    assert newest["kind"] == "leaver"
    assert newest["source"] == "scim"
    assert newest["person"] == {"id": history[0].pk, "display_name": "p0"}
    assert newest["changes"]["active"] == [True, False]
    assert newest["effective_on"] == "2026-03-01"


def test_filters_and_pagination(staff, history):
    client = token_client(staff)
    assert client.get(URL, {"kind": "joiner"}).json()["count"] == 3
    assert client.get(URL, {"source": "scim"}).json()["count"] == 1
    assert client.get(URL, {"person": history[1].pk}).json()["count"] == 1
    ranged = client.get(URL, {"effective_from": "2026-01-02", "effective_to": "2026-01-31"})
    assert ranged.json()["count"] == 2
    page = client.get(URL, {"limit": 1, "offset": 1}).json()
    assert (page["count"], len(page["items"])) == (4, 1)
    assert client.get(URL, {"kind": "promotion"}).status_code == 422
    assert client.get(URL, {"effective_from": "yesterday"}).status_code == 422
    assert client.get(URL, {"limit": 1000}).status_code == 422


def test_members_are_refused_and_anonymous_callers_must_sign_in(history):
    assert token_client(UserFactory()).get(URL).status_code == 403
    assert Client().get(URL).status_code == 401


def test_the_endpoint_is_in_the_openapi_schema(staff):
    schema = token_client(staff).get(f"{API}/openapi.json").json()
    operation = schema["paths"]["/api/v1/outreach/person-changes"]["get"]
    assert operation["operationId"] == "list_person_changes"
    assert {parameter["name"] for parameter in operation["parameters"]} >= {
        "kind",
        "source",
        "limit",
    }
