"""The funnel's hand-computed fixture, shared by the funnel's query, page and API tests.

January 2026 of the community's "Monthly welcome" campaign, worked out by hand:

- HR joiners 10 (`CampaignRun.audience_size`).
- mailed 8: r1…r8 (8/10 = 80.0 %).
- delivered 6: r1…r6 (6/8 = 75.0 %). r7 bounced after it was mailed (the bounce's address
  in capitals: still the same address), r8's mail failed; r6 bounced only *before* it was
  mailed, and the bounce of another address after the mail touches nobody.
- clicked 5: r1…r5 (5/6 = 83.3 %).
- joined 3: r1, r2, r3 (3/5 = 60.0 %).
- first activity within 30 days 2: r1 (day 3), r2 (day 29 and 23 hours) (2/3 = 66.7 %);
  r3 only joined, updated their profile and left (kinds that don't count), and asked a
  question the day *before* joining.
- active in the second month 1: r1 (day 45) (1/2 = 50.0 %); r2's next activity is exactly
  day 60 (excluded); r4 is active but never joined.

December 2025 of the same campaign: audience 4, mailed 2 (both delivered), 1 clicked, 0 joined
→ the last two conversions are None (never divided by 0).
February 2026 of a second campaign "Spring welcome": audience 0, nobody mailed → every
conversion None.
Another community's campaign (January 2026, audience 50, 5 mailed) must never appear.
"""

import datetime as dt
from dataclasses import dataclass

from practica.core.models import ActivityKind
from tests.factories.communities import CommunityFactory
from tests.factories.outreach import (
    CampaignFactory,
    FunnelActivityFactory,
    FunnelBounceFactory,
    FunnelOutboundMessageFactory,
    FunnelRecipientFactory,
    FunnelRunFactory,
)

JANUARY = dt.date(2026, 1, 1)
DECEMBER = dt.date(2025, 12, 1)
FEBRUARY = dt.date(2026, 2, 1)
MAILED_AT = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
JOINED_AT = dt.datetime(2026, 1, 7, 12, 0, tzinfo=dt.UTC)

JANUARY_COUNTS = {
    "audience": 10,
    "mailed": 8,
    "delivered": 6,
    "clicked": 5,
    "joined": 3,
    "first_activity": 2,
    "second_month": 1,
}
JANUARY_PERCENTS = ["80.0", "75.0", "83.3", "60.0", "66.7", "50.0"]
DECEMBER_COUNTS = {
    "audience": 4,
    "mailed": 2,
    "delivered": 2,
    "clicked": 1,
    "joined": 0,
    "first_activity": 0,
    "second_month": 0,
}
TOTAL_COUNTS = {key: JANUARY_COUNTS[key] + DECEMBER_COUNTS[key] for key in JANUARY_COUNTS}


@dataclass
class FunnelFixture:
    community: object
    welcome: object
    spring: object
    other_campaign: object


def _recipient(campaign, period, *, status="sent", **fields):
    recipient = FunnelRecipientFactory(
        campaign=campaign,
        period=period,
        mailed_at=dt.datetime.combine(period.replace(day=5), dt.time(9), tzinfo=dt.UTC),
        **fields,
    )
    if status is not None:
        FunnelOutboundMessageFactory(
            idempotency_key=recipient.idempotency_key, to_email=recipient.email, status=status
        )
    return recipient


def _activity(person, kind, after_joining):
    return FunnelActivityFactory(person=person, kind=kind, occurred_at=JOINED_AT + after_joining)


def build_funnel_fixture(community=None) -> FunnelFixture:
    community = community or CommunityFactory()
    welcome = CampaignFactory(community=community, name="Monthly welcome")
    spring = CampaignFactory(community=community, name="Spring welcome")
    clicked_at = dt.datetime(2026, 1, 6, 8, 0, tzinfo=dt.UTC)
    joined = {"clicked_at": clicked_at, "joined_at": JOINED_AT}

    # January: audience 10, eight mailed.
    FunnelRunFactory(campaign=welcome, period=JANUARY, audience_size=10, mailed_count=8)
    r1 = _recipient(welcome, JANUARY, **joined)
    r2 = _recipient(welcome, JANUARY, **joined)
    r3 = _recipient(welcome, JANUARY, **joined)
    r4 = _recipient(welcome, JANUARY, clicked_at=clicked_at)
    _recipient(welcome, JANUARY, clicked_at=clicked_at)  # r5
    r6 = _recipient(welcome, JANUARY)
    r7 = _recipient(welcome, JANUARY)
    _recipient(welcome, JANUARY, status="failed")
    # r7's address bounced after the mail (case differs: still the same address).
    FunnelBounceFactory(address=r7.email.upper(), received_at=MAILED_AT + dt.timedelta(hours=2))
    # r6's address bounced a week before the mail: that bounce was about an older message.
    FunnelBounceFactory(address=r6.email, received_at=MAILED_AT - dt.timedelta(days=7))
    # Someone else's bounce after the mail touches nobody.
    FunnelBounceFactory(address="someone.else@example.com", received_at=MAILED_AT)

    day = dt.timedelta(days=1)
    _activity(r1.person, ActivityKind.VOTED, 3 * day)
    _activity(r1.person, ActivityKind.ANSWERED, 45 * day)
    _activity(r2.person, ActivityKind.ASKED, 30 * day - dt.timedelta(hours=1))
    _activity(r2.person, ActivityKind.REGISTERED, 60 * day)
    _activity(r3.person, ActivityKind.JOINED, dt.timedelta(0))
    _activity(r3.person, ActivityKind.PROFILE_UPDATED, day)
    _activity(r3.person, ActivityKind.LEFT, 40 * day)
    _activity(r3.person, ActivityKind.ASKED, -day)
    _activity(r4.person, ActivityKind.ASKED, 2 * day)
    _activity(r4.person, ActivityKind.ASKED, 35 * day)

    # December: audience 4, two mailed and delivered, one clicked, nobody joined.
    FunnelRunFactory(campaign=welcome, period=DECEMBER, audience_size=4, mailed_count=2)
    _recipient(welcome, DECEMBER, clicked_at=dt.datetime(2025, 12, 8, tzinfo=dt.UTC))
    _recipient(welcome, DECEMBER)

    # February, another campaign: nobody matched.
    FunnelRunFactory(campaign=spring, period=FEBRUARY, audience_size=0)

    # Another community's campaign never shows.
    other_campaign = CampaignFactory(name="Monthly welcome")
    FunnelRunFactory(campaign=other_campaign, period=JANUARY, audience_size=50, mailed_count=5)
    for _ in range(5):
        _recipient(other_campaign, JANUARY, clicked_at=clicked_at, joined_at=JOINED_AT)

    return FunnelFixture(
        community=community, welcome=welcome, spring=spring, other_campaign=other_campaign
    )
