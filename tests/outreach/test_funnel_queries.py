"""The funnel's figures on the hand-computed fixture (`funnel_setup`), its conversions and
their rounding, the filters and their refusals, and the bounded number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from practica.core.models import ActivityKind
from practica.outreach.queries.funnel import (
    STEP_KEYS,
    FunnelCounts,
    campaign_funnel,
    conversion,
    funnel_header,
    funnel_rows,
    percent,
    sum_funnel,
)
from tests.factories.communities import CommunityFactory
from tests.factories.outreach import (
    CampaignFactory,
    FunnelActivityFactory,
    FunnelOutboundMessageFactory,
    FunnelRecipientFactory,
    FunnelRunFactory,
)
from tests.outreach.funnel_setup import (
    DECEMBER,
    DECEMBER_COUNTS,
    FEBRUARY,
    JANUARY,
    JANUARY_COUNTS,
    JANUARY_PERCENTS,
    TOTAL_COUNTS,
    build_funnel_fixture,
)

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def counts_of(figures):
    return {key: getattr(figures, key) for key in STEP_KEYS}


@pytest.fixture
def fixture(community):
    return build_funnel_fixture(community)


def test_the_hand_computed_january(fixture):
    months = campaign_funnel(community=fixture.community, campaign=fixture.welcome)
    assert [month.period for month in months] == [JANUARY, DECEMBER]
    january = months[0]
    assert january.campaign_id == fixture.welcome.pk
    assert january.campaign_name == "Monthly welcome"
    assert counts_of(january) == JANUARY_COUNTS
    steps = january.steps
    assert [step.key for step in steps] == list(STEP_KEYS)
    assert steps[0].conversion is None
    assert steps[0].percent is None
    assert [str(step.percent) for step in steps[1:]] == JANUARY_PERCENTS
    assert january.conversions == {
        "mailed": Decimal("0.8000"),
        "delivered": Decimal("0.7500"),
        "clicked": Decimal("0.8333"),
        "joined": Decimal("0.6000"),
        "first_activity": Decimal("0.6667"),
        "second_month": Decimal("0.5000"),
    }
    assert january.overall == Decimal("0.3000")


def test_a_step_after_zero_has_no_conversion(fixture):
    months = campaign_funnel(community=fixture.community, campaign=fixture.welcome)
    december = months[1]
    assert counts_of(december) == DECEMBER_COUNTS
    conversions = december.conversions
    assert conversions["joined"] == Decimal("0.0000")  # 0 of 1 clicked: a real 0 %
    assert conversions["first_activity"] is None  # nobody joined: no division
    assert conversions["second_month"] is None


def test_every_run_of_the_community_newest_first_and_never_another_communitys(fixture):
    months = campaign_funnel(community=fixture.community)
    assert [(month.period, month.campaign_name) for month in months] == [
        (FEBRUARY, "Spring welcome"),
        (JANUARY, "Monthly welcome"),
        (DECEMBER, "Monthly welcome"),
    ]
    february = months[0]
    assert counts_of(february) == dict.fromkeys(STEP_KEYS, 0)
    assert all(step.conversion is None for step in february.steps)
    assert fixture.other_campaign.pk not in {month.campaign_id for month in months}


def test_runs_of_the_same_month_are_ordered_by_campaign_name(community):
    zebra = CampaignFactory(community=community, name="Zebra")
    alpha = CampaignFactory(community=community, name="Alpha")
    FunnelRunFactory(campaign=zebra, period=JANUARY, audience_size=1)
    FunnelRunFactory(campaign=alpha, period=JANUARY, audience_size=2)
    names = [month.campaign_name for month in campaign_funnel(community=community)]
    assert names == ["Alpha", "Zebra"]


def test_the_period_filter_includes_both_months_and_takes_any_day(fixture):
    only_january = campaign_funnel(
        community=fixture.community, period_from=dt.date(2026, 1, 31), period_to=JANUARY
    )
    assert [month.period for month in only_january] == [JANUARY]
    since_january = campaign_funnel(community=fixture.community, period_from=JANUARY)
    assert [month.period for month in since_january] == [FEBRUARY, JANUARY]
    until_january = campaign_funnel(community=fixture.community, period_to=dt.date(2026, 1, 15))
    assert [month.period for month in until_january] == [JANUARY, DECEMBER]


def test_totals_sum_the_months_and_convert_the_sums(fixture):
    totals = sum_funnel(campaign_funnel(community=fixture.community, campaign=fixture.welcome))
    assert counts_of(totals) == TOTAL_COUNTS
    assert totals.months == 2
    assert (totals.period_from, totals.period_to) == (DECEMBER, JANUARY)
    # 10 mailed of 14; 8 delivered of 10; 6 clicked of 8; 3 joined of 6.
    assert [str(step.percent) for step in totals.steps[1:5]] == ["71.4", "80.0", "75.0", "50.0"]


def test_totals_of_nothing_are_zeros_without_conversions(community):
    totals = sum_funnel(campaign_funnel(community=community))
    assert counts_of(totals) == dict.fromkeys(STEP_KEYS, 0)
    assert totals.months == 0
    assert totals.period_from is None
    assert all(step.conversion is None for step in totals.steps)
    assert sum_funnel([]).months == 0


def test_no_runs_is_an_empty_list(community):
    assert campaign_funnel(community=community) == []


def test_recipients_without_a_run_in_range_are_not_counted(community):
    campaign = CampaignFactory(community=community)
    FunnelRunFactory(campaign=campaign, period=JANUARY, audience_size=3)
    FunnelRecipientFactory(campaign=campaign, period=DECEMBER)
    [january] = campaign_funnel(community=community)
    assert (january.audience, january.mailed) == (3, 0)


@pytest.mark.parametrize(
    ("step", "previous", "fraction", "shown"),
    [
        (1, 16, "0.0625", "6.3"),  # half up, not to even
        (1, 8, "0.1250", "12.5"),
        (2, 3, "0.6667", "66.7"),
        (1, 3, "0.3333", "33.3"),
        (5, 6, "0.8333", "83.3"),
        (1, 7, "0.1429", "14.3"),
        (3, 3, "1.0000", "100.0"),
        (0, 5, "0.0000", "0.0"),
        (2469, 20000, "0.1235", "12.3"),  # 12.345 % rounds from the exact ratio, not 12.35
    ],
)
def test_conversion_rounding(step, previous, fraction, shown):
    assert str(conversion(step, previous)) == fraction
    assert str(percent(step, previous)) == shown


def test_no_division_by_zero():
    assert conversion(0, 0) is None
    assert percent(3, 0) is None
    assert FunnelCounts(audience=0, mailed=0).steps[1].conversion is None


def test_an_inverted_period_is_refused_with_a_message(community):
    with pytest.raises(ValidationError) as refused:
        campaign_funnel(community=community, period_from=FEBRUARY, period_to=DECEMBER)
    message = refused.value.message_dict["period_to"][0]
    assert "2025-12" in message
    assert "2026-02" in message


def test_another_communitys_campaign_is_refused(fixture):
    with pytest.raises(ValidationError) as refused:
        campaign_funnel(community=fixture.community, campaign=fixture.other_campaign)
    assert "campaign" in refused.value.message_dict


def test_a_period_that_is_not_a_date_is_refused(community):
    with pytest.raises(ValidationError) as refused:
        campaign_funnel(community=community, period_from="2026-01")
    assert "period_from" in refused.value.message_dict


def test_the_number_of_queries_does_not_grow_with_runs_or_recipients(
    fixture, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        campaign_funnel(community=fixture.community)
    campaign = CampaignFactory(community=fixture.community)
    for month in range(1, 13):
        period = dt.date(2024, month, 1)
        FunnelRunFactory(campaign=campaign, period=period, audience_size=5)
        for _ in range(3):
            FunnelRecipientFactory(campaign=campaign, period=period)
    with django_assert_max_num_queries(2):
        months = campaign_funnel(community=fixture.community)
    assert len(months) == 15
    assert sum_funnel(months).months == 15


def test_the_table_rows_for_the_csv(fixture):
    months = campaign_funnel(community=fixture.community, campaign=fixture.welcome)
    header = funnel_header()
    rows = funnel_rows(months)
    assert len(header) == len(rows[0]) == 2 + 7 + 6
    assert header[:3] == ["Month", "Campaign", "HR joiners"]
    assert rows[0][:4] == ["2026-01", "Monthly welcome", 10, 8]
    assert str(rows[0][4]) == "80.0"
    # December: nobody joined, so the last two conversions are empty cells.
    assert rows[1][-1] == ""
    assert rows[1][-3] == ""


def test_other_communities_see_nothing_of_these_runs(fixture):
    assert campaign_funnel(community=CommunityFactory()) == []


def test_activity_windows_start_at_joining_and_day_30_belongs_to_the_second_month(community):
    campaign = CampaignFactory(community=community)
    FunnelRunFactory(campaign=campaign, period=JANUARY, audience_size=3)
    joined_at = dt.datetime(2026, 1, 10, 8, 0, tzinfo=dt.UTC)
    day_30 = joined_at + dt.timedelta(days=30)
    retained = FunnelRecipientFactory(campaign=campaign, joined_at=joined_at)
    only_early = FunnelRecipientFactory(campaign=campaign, joined_at=joined_at)
    only_late = FunnelRecipientFactory(campaign=campaign, joined_at=joined_at)
    for person, moment in [
        (retained.person, joined_at),
        (retained.person, day_30),
        (only_early.person, joined_at),
        (only_late.person, day_30),
    ]:
        FunnelActivityFactory(person=person, kind=ActivityKind.ASKED, occurred_at=moment)
    [month] = campaign_funnel(community=community)
    # Day 30 is the second month's; and the second month counts only the early-active
    # (each step a subset of the one before), so `only_late` stops at "joined".
    assert (month.joined, month.first_activity, month.second_month) == (3, 2, 1)


def test_a_mail_still_queued_or_missing_from_the_outbox_is_not_delivered(community):
    campaign = CampaignFactory(community=community)
    FunnelRunFactory(campaign=campaign, period=JANUARY, audience_size=3)
    for status in ("queued", "deferred", "sent"):
        recipient = FunnelRecipientFactory(campaign=campaign)
        FunnelOutboundMessageFactory(idempotency_key=recipient.idempotency_key, status=status)
    FunnelRecipientFactory(campaign=campaign)  # no outbox row at all
    [month] = campaign_funnel(community=community)
    assert (month.mailed, month.delivered) == (4, 1)


def test_joining_by_the_welcome_mails_link_moves_the_person_down_the_funnel(community):
    from practica.outreach.join_links import CAMPAIGN, JoinTicket
    from practica.outreach.services.joining import join_from_link, record_join_click

    campaign = CampaignFactory(community=community)
    FunnelRunFactory(campaign=campaign, period=JANUARY, audience_size=1)
    recipient = FunnelRecipientFactory(campaign=campaign)
    FunnelOutboundMessageFactory(idempotency_key=recipient.idempotency_key, status="sent")
    ticket = JoinTicket(CAMPAIGN, recipient.pk)
    record_join_click(ticket=ticket)
    [month] = campaign_funnel(community=community)
    assert (month.delivered, month.clicked, month.joined) == (1, 1, 0)
    join_from_link(ticket=ticket, person=recipient.person)
    [month] = campaign_funnel(community=community)
    assert (month.clicked, month.joined, month.first_activity) == (1, 1, 0)
