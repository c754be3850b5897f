"""The outbox admin: read-only, filterable, with a "retry now" action."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from practica.mail.models import MessageStatus, OutboundMessage
from tests.factories.people import UserFactory
from tests.mail.conftest import make_queued_messages

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_changelist_filters_by_status(superuser_client):
    rows = make_queued_messages(2)
    OutboundMessage.objects.filter(pk=rows[0].pk).update(status=MessageStatus.FAILED)

    response = superuser_client.get(
        reverse("admin:mail_outboundmessage_changelist"), {"status__exact": "failed"}
    )

    assert response.status_code == 200
    assert rows[0].subject in response.text
    assert rows[1].subject not in response.text


def test_detail_is_read_only(superuser_client):
    [row] = make_queued_messages(1)
    url = reverse("admin:mail_outboundmessage_change", args=[row.pk])

    assert superuser_client.get(url).status_code == 200
    superuser_client.post(url, {"subject": "Edited"})
    row.refresh_from_db()
    assert row.subject == "Message 0"
    assert superuser_client.get(reverse("admin:mail_outboundmessage_add")).status_code == 403


def test_retry_now_makes_failed_messages_due(superuser_client, django_capture_on_commit_callbacks):
    rows = make_queued_messages(2)
    OutboundMessage.objects.update(status=MessageStatus.FAILED, attempts=8)

    with django_capture_on_commit_callbacks() as callbacks:
        response = superuser_client.post(
            reverse("admin:mail_outboundmessage_changelist"),
            {"action": "retry_now", "_selected_action": [rows[0].pk]},
        )

    assert response.status_code == 302
    assert len(callbacks) == 1  # delivery is scheduled after commit
    statuses = dict(OutboundMessage.objects.values_list("pk", "status"))
    assert statuses == {rows[0].pk: MessageStatus.QUEUED, rows[1].pk: MessageStatus.FAILED}


def test_viewers_without_change_permission_cannot_retry(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboundmessage"))
    client.force_login(viewer)
    [row] = make_queued_messages(1)
    OutboundMessage.objects.update(status=MessageStatus.FAILED)
    url = reverse("admin:mail_outboundmessage_changelist")

    response = client.get(url)
    assert response.status_code == 200
    assert "retry_now" not in response.text
    client.post(url, {"action": "retry_now", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.status == MessageStatus.FAILED


# --- Received mail --------------------------------------------------------------------------


def test_received_mail_is_listed_read_only_and_a_failed_one_can_be_handled_again(
    superuser_client,
):
    from practica.mail.models import InboundMessage, InboundStatus, InboundVia

    raw = b"From: nobody@example.org\r\nSubject: Hello\r\n\r\nHi\r\n"
    failed = InboundMessage.objects.create(
        raw=raw,
        size=len(raw),
        via=InboundVia.LMTP,
        recipients=["nosuch@lists.example.com"],
        subject="Hello",
        status=InboundStatus.FAILED,
    )
    changelist = reverse("admin:mail_inboundmessage_changelist")

    assert "Hello" in superuser_client.get(changelist).text
    assert (
        "Hi"
        in superuser_client.get(reverse("admin:mail_inboundmessage_change", args=[failed.pk])).text
    )
    superuser_client.post(
        changelist, {"action": "replay", "_selected_action": [failed.pk]}, follow=True
    )

    failed.refresh_from_db()
    assert failed.status == InboundStatus.REJECTED  # handled now: no such list
