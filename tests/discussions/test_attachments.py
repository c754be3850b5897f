"""Attachments that came by email: downloaded by those who may see the post, never inline."""

import pytest
from django.core.files.base import ContentFile

from practica.communities.models import Access
from practica.discussions.models import PostAttachment, PostOrigin
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.discussions import PostFactory, QuestionFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def attach(post, name="notes.html", content=b"<script>alert(1)</script>"):
    row = PostAttachment(post=post, filename=name, content_type="text/html", size=len(content))
    row.file.save(name, ContentFile(content), save=False)
    row.save()
    return row


def test_a_member_downloads_an_attachment_as_a_file_never_as_a_page(client):
    community = CommunityFactory()
    reader = MembershipFactory(community=community).person
    row = attach(PostFactory(thread=QuestionFactory(community=community)))
    client.force_login(reader)

    response = client.get(f"/questions/attachments/{row.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="notes.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"


def test_closed_communities_and_hidden_posts_keep_their_files(client):
    closed = CommunityFactory(access=Access.CLOSED)
    row = attach(PostFactory(thread=QuestionFactory(community=closed)))
    open_community = CommunityFactory()
    hidden = attach(PostFactory(thread=QuestionFactory(community=open_community), is_hidden=True))
    client.force_login(UserFactory())

    assert client.get(f"/questions/attachments/{row.pk}/").status_code == 404
    assert client.get(f"/questions/attachments/{hidden.pk}/").status_code == 404
    assert client.get("/questions/attachments/999999/").status_code == 404
    assert client.post(f"/questions/attachments/{hidden.pk}/").status_code == 405


def test_the_question_page_lists_the_files_of_posts_that_came_by_email(client):
    community = CommunityFactory()
    reader = MembershipFactory(community=community).person
    thread = QuestionFactory(community=community)
    by_email = PostFactory(thread=thread, origin=PostOrigin.EMAIL)
    row = attach(by_email, name="loss-curve.png", content=b"\x89PNG...")
    client.force_login(reader)

    page = client.get(f"/questions/{thread.pk}/").content.decode()

    assert f'href="/questions/attachments/{row.pk}/"' in page
    assert "loss-curve.png" in page
    assert "by email" in page
