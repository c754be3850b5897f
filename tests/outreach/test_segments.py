"""Segments: every rule of the vocabulary, reference dates, who is never counted, and the
messages bad rules get."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from practica.outreach.queries.segments import (
    previous_month,
    rule_label,
    segment_count,
    segment_people,
    validate_segment_rules,
)
from practica.outreach.services.joining import opt_out_of_outreach
from tests.factories.communities import MembershipFactory
from tests.factories.outreach import NewHireFactory, SegmentFactory
from tests.factories.people import OrgUnitFactory

pytestmark = pytest.mark.django_db

MAY = datetime.date(2026, 5, 1)


def people(community, rules, on=MAY, **kwargs):
    segment = SegmentFactory.build(community=community, rules=validate_segment_rules(rules))
    return set(segment_people(segment, reference_date=on, **kwargs))


def test_hired_in_previous_month_is_relative_to_the_reference_date(community):
    march = NewHireFactory(hired_on=datetime.date(2026, 3, 31))
    april_first = NewHireFactory(hired_on=datetime.date(2026, 4, 1))
    april_last = NewHireFactory(hired_on=datetime.date(2026, 4, 30))
    may = NewHireFactory(hired_on=datetime.date(2026, 5, 1))
    rule = [{"field": "hired_on", "op": "in_previous_month"}]
    assert people(community, rule) == {april_first, april_last}
    assert people(community, rule, on=datetime.date(2026, 5, 31)) == {april_first, april_last}
    assert people(community, rule, on=datetime.date(2026, 4, 10)) == {march}
    assert people(community, rule, on=datetime.date(2026, 6, 1)) == {may}


def test_previous_month_crosses_the_year():
    assert previous_month(datetime.date(2026, 1, 1)) == (
        datetime.date(2025, 12, 1),
        datetime.date(2025, 12, 31),
    )
    assert previous_month(datetime.date(2024, 3, 15)) == (
        datetime.date(2024, 2, 1),
        datetime.date(2024, 2, 29),
    )


def test_within_days_counts_back_including_the_reference_day(community):
    inside = NewHireFactory(hired_on=datetime.date(2026, 4, 2))  # 30th day back from 1 May
    edge = NewHireFactory(hired_on=MAY)
    NewHireFactory(hired_on=datetime.date(2026, 4, 1))  # 31 days back
    NewHireFactory(hired_on=datetime.date(2026, 5, 2))  # after the reference day
    rule = [{"field": "hired_on", "op": "within_days", "value": 30}]
    assert people(community, rule) == {inside, edge}


def test_between_includes_both_days(community):
    first = NewHireFactory(hired_on=datetime.date(2026, 1, 1))
    last = NewHireFactory(hired_on=datetime.date(2026, 3, 31))
    NewHireFactory(hired_on=datetime.date(2026, 4, 1))
    NewHireFactory(hired_on=None)
    rule = [{"field": "hired_on", "op": "between", "value": ["2026-01-01", "2026-03-31"]}]
    assert people(community, rule) == {first, last}


def test_job_title_matches_case_insensitively_anywhere(community):
    senior = NewHireFactory(job_title="Senior DATA SCIENTIST")
    applied = NewHireFactory(job_title="Applied Scientist II")
    NewHireFactory(job_title="Data Engineer")
    rule = [{"field": "job_title", "op": "matches", "value": "data scientist|applied scientist"}]
    assert people(community, rule) == {senior, applied}


def test_role_and_country_are_lists(community):
    german = NewHireFactory(role="data_scientist", country="DE")
    american = NewHireFactory(role="applied_scientist", country="US")
    NewHireFactory(role="engineer", country="DE")
    NewHireFactory(role="data_scientist", country="FR")
    rules = [
        {"field": "role", "op": "in", "value": ["data_scientist", "applied_scientist"]},
        {"field": "country", "op": "in", "value": ["de", "US"]},
    ]
    assert people(community, rules) == {german, american}


def test_org_unit_under_includes_the_subtree(community):
    research = OrgUnitFactory(name="Research")
    team = OrgUnitFactory(name="Vision team", parent=research)
    sales = OrgUnitFactory(name="Sales")
    in_division = NewHireFactory(org_unit=research)
    in_team = NewHireFactory(org_unit=team)
    NewHireFactory(org_unit=sales)
    NewHireFactory(org_unit=None)
    rule = [{"field": "org_unit", "op": "under", "value": research.slug}]
    assert people(community, rule) == {in_division, in_team}
    assert people(community, [{"field": "org_unit", "op": "under", "value": team.slug}]) == {
        in_team
    }


def test_membership_member_and_not_member_of_the_segments_community(community):
    member = NewHireFactory()
    MembershipFactory(community=community, person=member)
    former = NewHireFactory()
    MembershipFactory(
        community=community, person=former, left_at=datetime.datetime.now(datetime.UTC)
    )
    elsewhere = NewHireFactory()
    MembershipFactory(person=elsewhere)
    outsider = NewHireFactory()
    assert people(community, [{"field": "membership", "op": "member"}]) == {member}
    assert people(community, [{"field": "membership", "op": "not_member"}]) == {
        former,
        elsewhere,
        outsider,
    }


def test_all_rules_must_hold(community):
    match = NewHireFactory(job_title="Data Scientist", hired_on=datetime.date(2026, 4, 3))
    NewHireFactory(job_title="Data Scientist", hired_on=datetime.date(2026, 2, 3))
    NewHireFactory(job_title="Recruiter", hired_on=datetime.date(2026, 4, 3))
    member = NewHireFactory(job_title="Data Scientist", hired_on=datetime.date(2026, 4, 3))
    MembershipFactory(community=community, person=member)
    segment = SegmentFactory(community=community)  # the factory's three rules
    assert list(segment_people(segment, reference_date=MAY)) == [match]
    assert segment_count(segment, reference_date=MAY) == 1


def test_inactive_system_placeholder_and_opted_out_people_are_left_out(community):
    kept = NewHireFactory()
    NewHireFactory(is_active=False)
    NewHireFactory(is_system=True)
    NewHireFactory(is_placeholder=True)
    opted = NewHireFactory()
    opt_out_of_outreach(email=opted.email.upper())
    rule = [{"field": "hired_on", "op": "in_previous_month"}]
    assert people(community, rule) == {kept}
    assert people(community, rule, include_opted_out=True) == {kept, opted}


def test_people_come_by_name(community):
    zoe = NewHireFactory(display_name="Zoe")
    ada = NewHireFactory(display_name="Ada")
    segment = SegmentFactory(
        community=community, rules=[{"field": "role", "op": "in", "value": ["data_scientist"]}]
    )
    assert list(segment_people(segment)) == [ada, zoe]


def test_rules_are_stored_in_normal_form(db):
    unit = OrgUnitFactory(name="Research")
    assert validate_segment_rules(
        [
            {"field": "hired_on", "op": "within_days", "value": "14"},
            {"field": "country", "op": "in", "value": "de, us"},
            {"field": "role", "op": "in", "value": ["data_scientist", "data_scientist"]},
            {"field": "job_title", "op": "matches", "value": "  ml engineer "},
            {"field": "org_unit", "op": "under", "value": unit.slug},
            {"field": "membership", "op": "not_member", "value": None},
        ]
    ) == [
        {"field": "hired_on", "op": "within_days", "value": 14},
        {"field": "country", "op": "in", "value": ["DE", "US"]},
        {"field": "role", "op": "in", "value": ["data_scientist"]},
        {"field": "job_title", "op": "matches", "value": "ml engineer"},
        {"field": "org_unit", "op": "under", "value": unit.slug},
        {"field": "membership", "op": "not_member"},
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("hired_on", "a rule is an object"),
        ({"field": "salary", "op": "in", "value": [1]}, "unknown field “salary”"),
        ({"field": "hired_on", "op": "matches", "value": "x"}, "hired_on takes the operators"),
        ({"field": "hired_on", "op": "within_days"}, "needs a value"),
        ({"field": "hired_on", "op": "within_days", "value": 0}, "from 1 to 3660"),
        ({"field": "hired_on", "op": "within_days", "value": "soon"}, "whole number of days"),
        ({"field": "hired_on", "op": "within_days", "value": True}, "whole number of days"),
        ({"field": "hired_on", "op": "between", "value": ["2026-01-01"]}, "give two dates"),
        (
            {"field": "hired_on", "op": "between", "value": ["2026-02-30", "2026-03-01"]},
            "“2026-02-30” is not a date",
        ),
        (
            {"field": "hired_on", "op": "between", "value": ["2026-03-01", "2026-01-01"]},
            "first day comes after",
        ),
        ({"field": "hired_on", "op": "in_previous_month", "value": 3}, "takes no value"),
        (
            {"field": "job_title", "op": "matches", "value": "data (scientist"},
            "not a valid regular expression",
        ),
        ({"field": "job_title", "op": "matches", "value": "x" * 301}, "300 characters"),
        ({"field": "role", "op": "in", "value": ["wizard"]}, "unknown roles: wizard"),
        ({"field": "country", "op": "in", "value": ["Germany"]}, "GERMANY: use two-letter"),
        ({"field": "org_unit", "op": "under", "value": "nowhere"}, "no org unit “nowhere”"),
        ({"field": "membership", "op": "member", "extra": 1}, "unknown keys extra"),
    ],
)
def test_bad_rules_get_a_numbered_message(rule, message):
    with pytest.raises(ValidationError) as refused:
        validate_segment_rules([{"field": "membership", "op": "not_member"}, rule])
    [text] = refused.value.message_dict["rules"]
    assert text.startswith("Rule 2: ")
    assert message in text


def test_every_bad_rule_is_listed_and_the_list_itself_is_checked():
    with pytest.raises(ValidationError) as refused:
        validate_segment_rules([{"field": "x"}, {"field": "membership", "op": "member"}, {}])
    assert [text[:7] for text in refused.value.message_dict["rules"]] == ["Rule 1:", "Rule 3:"]
    for rules, message in (
        ("not a list", "Rules are a list"),
        ([], "at least one rule"),
        ([{"field": "membership", "op": "member"}] * 21, "Keep to 20 rules"),
    ):
        with pytest.raises(ValidationError, match=message):
            validate_segment_rules(rules)


def test_a_rule_reads_as_a_sentence():
    assert rule_label({"field": "hired_on", "op": "in_previous_month"}) == (
        "Hired on in the previous calendar month"
    )
    assert rule_label({"field": "country", "op": "in", "value": ["DE", "US"]}) == (
        "Country is one of: DE, US"
    )
    assert (
        rule_label({"field": "hired_on", "op": "between", "value": ["2026-01-01", "2026-03-31"]})
        == "Hired on between two dates: 2026-01-01 to 2026-03-31"
    )


def test_a_removed_org_unit_matches_nobody(community):
    unit = OrgUnitFactory(name="Gone")
    NewHireFactory(org_unit=unit)
    segment = SegmentFactory(
        community=community, rules=[{"field": "org_unit", "op": "under", "value": unit.slug}]
    )
    assert segment_count(segment) == 1
    unit.people.update(org_unit=None)
    unit.delete()
    assert segment_count(segment) == 0


def test_a_pattern_the_database_cannot_run_is_refused_not_an_error(community):
    scientist = NewHireFactory(job_title="Data Scientist")
    rule = [{"field": "job_title", "op": "matches", "value": "(?P<kind>data) scientist"}]
    if connection.vendor == "postgresql":  # Python's named groups are not PostgreSQL's syntax
        with pytest.raises(ValidationError, match="the database does not support"):
            validate_segment_rules(rule)
    else:  # SQLite runs Python's regular expressions
        assert people(community, rule) == {scientist}
