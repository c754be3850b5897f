"""The ledger's watermark with real concurrent writers on PostgreSQL: an id drawn by a
transaction that has not committed yet is never skipped by the incremental update."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from practica.core.models import Activity, ActivityKind
from practica.metrics.models import RollupState
from practica.metrics.rollups import build
from practica.metrics.rollups.build import LedgerBusyError, ledger_watermark
from practica.metrics.rollups.incremental import update_rollups
from tests.concurrency import postgres_only
from tests.factories.communities import CommunityFactory
from tests.factories.metrics import ActivityFactory
from tests.factories.people import UserFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def test_the_watermark_waits_for_an_uncommitted_ledger_row(monkeypatch):
    community, person = CommunityFactory(), UserFactory()
    ActivityFactory(community=community, person=person, kind=ActivityKind.ASKED)
    inserted, release = threading.Event(), threading.Event()
    drawn: list[int] = []

    def slow_writer():
        try:
            with transaction.atomic():
                drawn.append(
                    Activity.objects.create(
                        community=community, person=person, kind=ActivityKind.ANSWERED
                    ).pk
                )
                inserted.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert inserted.wait(timeout=30)
        # A later row commits while the earlier id is still in flight: max(id) would pass it.
        later = ActivityFactory(community=community, person=person, kind=ActivityKind.REPLIED)
        assert later.pk > drawn[0]
        monkeypatch.setattr(build, "WATERMARK_LOCK_TIMEOUT", "200ms")
        with pytest.raises(LedgerBusyError):
            ledger_watermark()
        # The update waits for the next run rather than record a watermark past row `drawn`;
        # the rebuild command says why it stopped, without a traceback.
        assert update_rollups() == 0
        assert not RollupState.objects.filter(built_at__isnull=False).exists()
        with pytest.raises(CommandError, match="activity ledger"):
            call_command("metrics", "rebuild")
    finally:
        release.set()
        writer.join()
    assert ledger_watermark() == later.pk
    assert update_rollups() == 1
    assert RollupState.objects.get(community=community).last_activity_id == later.pk
