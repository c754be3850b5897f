"""The staff provisioning page (tokens: create with the secret once, revoke) and the change
log with its filters; everyone else is refused."""

import datetime

import pytest
from django.test import Client

from practica.outreach.models import ChangeSource, ProvisioningToken
from practica.outreach.services.lifecycle import (
    create_provisioned_person,
    update_provisioned_person,
)
from practica.outreach.services.tokens import create_provisioning_token
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

PAGE = "/outreach/provisioning/"
LOG = "/outreach/provisioning/changes/"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_sign_in_and_members_refused():
    assert Client().get(PAGE).status_code == 302
    assert Client().get(LOG).status_code == 302
    member = signed_in(UserFactory())
    assert member.get(PAGE).status_code == 403
    assert member.get(LOG).status_code == 403
    assert member.post(PAGE, {"name": "Sneaky"}).status_code == 403
    assert not ProvisioningToken.objects.exists()


def test_staff_create_a_token_and_see_its_secret_once(staff):
    client = signed_in(staff)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "http://testserver/scim/v2/" in page.content.decode()

    created = client.post(PAGE, {"name": "Entra ID"})

    assert created.status_code == 200
    token = ProvisioningToken.objects.get()
    html = created.content.decode()
    secret = created.context["new_secret"]
    assert secret.startswith(f"scim_{token.lookup_prefix}_")
    assert f'<code id="new-token">{secret}</code>' in html
    assert "Copy the new token now" in html
    assert "Paste it into the identity provider as the secret token" in html
    assert secret not in client.get(PAGE).content.decode()


def test_a_bad_token_name_is_shown_on_the_form(staff):
    response = signed_in(staff).post(PAGE, {"name": ""})
    assert response.status_code == 422
    assert response.context["form"].errors["name"]
    assert not ProvisioningToken.objects.exists()


def test_staff_revoke_a_token(staff):
    token, _secret = create_provisioning_token(name="Okta", actor=staff)
    url = f"/outreach/provisioning/tokens/{token.pk}/revoke/"
    assert signed_in(UserFactory()).post(url).status_code == 403
    assert signed_in(staff).get(url).status_code == 405

    response = signed_in(staff).post(url, follow=True)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Okta" in response.content.decode()
    assert signed_in(staff).post("/outreach/provisioning/tokens/999999/revoke/").status_code == 404


def test_the_change_log_names_what_changed_and_filters(staff):
    first_unit = OrgUnitFactory(name="Research")
    second_unit = OrgUnitFactory(name="Speech")
    person = create_provisioned_person(
        attributes={"email": "ada@example.com", "display_name": "Ada", "org_unit": first_unit},
        source=ChangeSource.SCIM,
        effective_on=datetime.date(2026, 1, 1),
    )
    update_provisioned_person(
        person=person,
        attributes={"org_unit": second_unit},
        source=ChangeSource.HR_FEED,
        effective_on=datetime.date(2026, 2, 1),
    )
    client = signed_in(staff)

    everything = client.get(LOG)
    html = everything.content.decode()
    assert everything.status_code == 200
    assert "Research" in html
    assert "Speech" in html
    assert len(everything.context["page_obj"].object_list) == 2

    transfers = client.get(LOG, {"kind": "transfer"})
    assert [row.kind for row in transfers.context["page_obj"].object_list] == ["transfer"]
    scim_only = client.get(LOG, {"source": "scim"})
    assert [row.kind for row in scim_only.context["page_obj"].object_list] == ["joiner"]
    nonsense = client.get(LOG, {"kind": "nonsense", "page": "x"})
    assert nonsense.status_code == 200
    assert len(nonsense.context["page_obj"].object_list) == 2
    assert "Ada" in client.get(PAGE).content.decode()
