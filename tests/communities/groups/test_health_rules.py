"""The health rules as arithmetic, over any mix of counts (no database)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from practica.communities.group_health import ARCHIVED, GroupHealth

pytestmark = [pytest.mark.unit]

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)


def health(**fields):
    defaults = {
        "group_id": 1,
        "as_of": NOW,
        "state": "active",
        "last_activity_at": NOW - timedelta(days=1),
        "idle_after_days": 90,
    }
    return GroupHealth(**{**defaults, **fields})


@given(top=st.integers(0, 500), others=st.integers(0, 500))
def test_single_point_of_failure_is_more_than_60_percent_of_at_least_5(top, others):
    total = top + others
    found = health(recent_activity=total, top_contributor_count=top)

    expected = total >= 5 and Decimal(top) / Decimal(total) > Decimal("0.6")
    assert found.single_point_of_failure is expected
    if total:
        assert Decimal(0) <= found.top_contributor_share <= Decimal(1)
        assert found.top_contributor_percent == int(found.top_contributor_share * 100)
    else:
        assert found.top_contributor_share is None


@given(owners=st.integers(0, 5), active=st.integers(0, 5), archived=st.booleans())
def test_no_active_owner_unless_archived(owners, active, archived):
    active = min(active, owners)
    found = health(
        state=ARCHIVED if archived else "active",
        owner_count=owners,
        active_owner_count=active,
        recent_activity=10,
        top_contributor_count=10,
    )

    assert found.no_active_owner is (not archived and active == 0)
    assert not (archived and found.single_point_of_failure)


@given(days=st.integers(0, 2000))
def test_days_quiet_counts_whole_days(days):
    found = health(last_activity_at=NOW - timedelta(days=days, hours=3))

    assert found.days_quiet == days


@given(
    state=st.sampled_from(["active", "idle", ARCHIVED]),
    active_owners=st.integers(0, 2),
    top=st.integers(0, 20),
    others=st.integers(0, 20),
)
def test_a_group_needs_attention_when_any_flag_is_up(state, active_owners, top, others):
    found = health(
        state=state,
        owner_count=2,
        active_owner_count=active_owners,
        recent_activity=top + others,
        top_contributor_count=top,
    )

    flags = (found.is_idle, found.no_active_owner, found.single_point_of_failure)
    assert found.needs_attention is any(flags)
    assert found.needs_attention is (
        state == "idle"
        or (state != ARCHIVED and active_owners == 0)
        or (state != ARCHIVED and top + others >= 5 and top * 5 > 3 * (top + others))
    )
