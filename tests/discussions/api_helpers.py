"""Small helpers shared by the discussions API tests."""

from practica.discussions.models import Post
from tests.api.clients import API, token_client


def answer(user, thread, body="Use tensor parallelism."):
    response = token_client(user).post(
        f"{API}/threads/{thread.pk}/posts", {"body": body}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return Post.objects.get(pk=response.json()["id"])


def post_json(client, path, data=None, method="post"):
    return getattr(client, method)(f"{API}{path}", data or {}, content_type="application/json")
