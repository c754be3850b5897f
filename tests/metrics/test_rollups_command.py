"""`practica metrics rebuild | update | status`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from practica.metrics.models import CommunityDay, RollupState
from tests.factories.communities import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def communities(db):
    first, second = CommunityFactory(slug="first"), CommunityFactory(slug="second")
    for community in (first, second):
        MembershipFactory(community=community, joined_at=timezone.now() - timedelta(days=10))
    return first, second


def run(*args: str) -> str:
    out = StringIO()
    call_command("metrics", *args, stdout=out)
    return out.getvalue()


def test_rebuild_everything(communities):
    output = run("rebuild")
    assert "Rebuilt 2 communities" in output
    for community in communities:
        assert CommunityDay.objects.filter(community=community).count() >= 11


def test_rebuild_one_community(communities):
    first, second = communities
    output = run("rebuild", "--community", "first")
    assert "Rebuilt 1 community" in output
    assert CommunityDay.objects.filter(community=first).exists()
    assert not CommunityDay.objects.filter(community=second).exists()


def test_an_unknown_slug_is_refused_and_nothing_is_built(communities):
    with pytest.raises(CommandError, match="No community with the slug 'nope'"):
        run("rebuild", "--community", "first", "--community", "nope")
    assert not CommunityDay.objects.exists()
    assert not RollupState.objects.exists()


def test_an_action_is_required(communities):
    with pytest.raises(CommandError):
        run()


def test_update_then_status(communities):
    assert "Updated the rollups of 2 communities" in run("update")
    assert "Updated the rollups of 0 communities" in run("update")
    status = run("status")
    assert "first" in status
    assert "second" in status
    assert str(timezone.localdate()) in status


def test_status_before_any_build(communities):
    assert "never" in run("status")
