"""The grant lists: a community's grants with filters, the queue, a member's own, and the
permission predicates behind them."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from practica.budget.models import GrantStatus
from practica.budget.permissions import (
    can_apply_for_grant,
    can_decide_grant,
    can_edit_budgets,
    can_report_grant,
    can_see_all_grants,
    can_see_budgets,
    can_see_grant,
    can_withdraw_grant,
)
from practica.budget.queries.grants import (
    APPROVED_FILTER,
    GrantFilters,
    community_grants,
    grant_queue,
    grants_of_applicant,
)
from tests.factories.budget import GrantFactory
from tests.factories.communities import GroupFactory

pytestmark = pytest.mark.django_db


def test_filters_by_status_year_group_and_applicant(community, member, settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    group = GroupFactory(community=community)
    submitted = GrantFactory(community=community, activity_on=date(2030, 3, 1), applicant=member)
    approved = GrantFactory(
        community=community, status=GrantStatus.APPROVED, activity_on=date(2031, 3, 1), group=group
    )
    partly = GrantFactory(
        community=community, status=GrantStatus.PARTLY_APPROVED, activity_on=date(2031, 4, 1)
    )
    reported = GrantFactory(
        community=community, status=GrantStatus.REPORTED, activity_on=date(2031, 5, 1)
    )
    declined = GrantFactory(
        community=community, status=GrantStatus.DECLINED, activity_on=date(2031, 6, 1)
    )
    GrantFactory()  # another community's

    def pks(**filters):
        return {grant.pk for grant in community_grants(community, GrantFilters(**filters))}

    assert pks() == {submitted.pk, approved.pk, partly.pk, reported.pk, declined.pk}
    assert pks(status=GrantStatus.DECLINED) == {declined.pk}
    assert pks(status=APPROVED_FILTER) == {approved.pk, partly.pk, reported.pk}
    assert pks(fiscal_year=2030) == {submitted.pk}
    assert pks(group=group) == {approved.pk}
    assert pks(applicant_id=member.pk) == {submitted.pk}


def test_the_queue_is_oldest_first(community):
    first = GrantFactory(community=community)
    second = GrantFactory(community=community)
    GrantFactory(community=community, status=GrantStatus.APPROVED)
    first.created_at = second.created_at + timedelta(minutes=-5)
    first.save()
    assert list(grant_queue(community)) == [first, second]


def test_a_member_s_own_grants(community, member):
    mine = GrantFactory(community=community, applicant=member)
    GrantFactory(community=community)
    assert list(grants_of_applicant(member)) == [mine]
    assert list(grants_of_applicant(member, community=community)) == [mine]


@pytest.fixture
def people(request):
    names = ("manager", "leader", "sponsor", "member", "outsider", "staff")
    return SimpleNamespace(**{name: request.getfixturevalue(name) for name in names})


def test_who_sees_and_does_what(community, people):
    manager, leader, sponsor = people.manager, people.leader, people.sponsor
    member, outsider, staff = people.member, people.outsider, people.staff
    grant = GrantFactory(community=community, applicant=member)
    assert [can_see_budgets(person, community) for person in (manager, leader, sponsor)] == [
        True
    ] * 3
    assert not can_see_budgets(member, community)
    assert not can_see_budgets(outsider, community)
    assert can_edit_budgets(manager, community)
    assert can_edit_budgets(staff, community)
    assert not can_edit_budgets(leader, community)
    assert can_see_all_grants(sponsor, community)
    assert not can_see_all_grants(member, community)
    assert can_see_grant(member, grant)
    assert can_see_grant(leader, grant)
    assert not can_see_grant(outsider, grant)
    assert can_apply_for_grant(member, community)
    assert not can_apply_for_grant(outsider, community)
    assert can_decide_grant(manager, grant)
    assert not can_decide_grant(leader, grant)
    own = GrantFactory(community=community, applicant=manager)
    assert not can_decide_grant(manager, own)
    assert can_withdraw_grant(member, grant)
    assert not can_withdraw_grant(manager, grant)
    assert not can_report_grant(member, grant)
    grant.status = GrantStatus.PARTLY_APPROVED
    assert can_report_grant(member, grant)
    grant.status = GrantStatus.REPORTED
    assert not can_withdraw_grant(member, grant)
