"""Odd query strings and paths on every metrics page, CSV and API endpoint (impossible or
far-off dates, huge numbers, repeated and unknown parameters, NUL, unicode): a message or a
404, never a 500."""

import pytest
from django.urls import reverse

from practica.communities.models import MembershipRole
from tests.api.clients import token_client
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory
from tests.factories.program import OfficeProgramFactory

pytestmark = pytest.mark.django_db

ODD = [
    "period=custom&start=9999-99-99&end=2020-01-01",
    "period=custom&start=2020-01-01&end=9999-12-31",
    "period=custom&start=0001-01-01&end=2020-01-01",
    "period=custom&start=2020-01-01&end=99999999999999999999",
    "period=custom&start=%00&end=2020-01-01",
    "org_unit=abc",
    "org_unit=99999999999999999999999999",
    "org_unit=-1",
    "org_unit=1e5",
    "topic=abc",
    "topic=99999999999999999999999",
    "topic=%00",
    "role=%C3%A9",
    "period=%F0%9F%98%80",
    "granularity=day&period=all",
    "granularity=day&period=custom&start=2000-01-01&end=2025-01-01",
    "period=30d&period=90d",
    "org_unit=1&org_unit=abc",
    "community=%00",
    "community=xx&community=yy",
    "page=abc",
    "page=99999999999999999999",
    "start=2020-02-30",
    "start=2020-1-1&end=2020-2-1",
    "foo=bar",
    "granularity=week&period=custom&start=2000-01-01&end=2029-12-31",
]


def test_no_odd_address_is_a_server_error(client):
    community = CommunityFactory(slug="ml")
    manager = MembershipFactory(community=community, role=MembershipRole.MANAGER).person
    office = UserFactory()
    program = OfficeProgramFactory(slug="wp", office=[office])
    community.program = program
    community.save()
    client.force_login(manager)
    bad = []
    urls = [
        reverse("metrics:community_dashboard", args=["ml"]),
        reverse("metrics:community_table_csv", args=["ml", "growth", "members"]),
        reverse("metrics:month_summary", args=["ml"]),
        reverse("metrics:pulse_list", args=["ml"]),
        reverse("metrics:monthly_report", args=["ml", "2024", "02"]),
    ]
    for u in urls:
        for q in ODD:
            r = client.get(u + "?" + q)
            if r.status_code >= 500:
                bad.append((u, q, r.status_code))
            r = client.get(u + "?" + q, HTTP_HX_REQUEST="true")
            if r.status_code >= 500:
                bad.append((u, q, "hx", r.status_code))
    client.force_login(office)
    for u in [
        reverse("metrics:program_dashboard", args=["wp"]),
        reverse("metrics:program_comparison_csv", args=["wp"]),
    ]:
        for q in ODD:
            r = client.get(u + "?" + q)
            if r.status_code >= 500:
                bad.append((u, q, r.status_code))
    api = token_client(manager)
    for u in [
        "/api/v1/metrics/communities/ml/panels",
        "/api/v1/metrics/communities/ml/panels/growth",
        "/api/v1/metrics/communities/ml/headlines",
        "/api/v1/metrics/communities/ml/panels/growth/series/members",
        "/api/v1/metrics/communities/ml/panels/growth/tables/members",
        "/api/v1/metrics/communities/ml/pulses",
    ]:
        for q in ODD:
            r = api.get(u + "?" + q)
            if r.status_code >= 500:
                bad.append((u, q, r.status_code))
    api2 = token_client(office)
    for q in ODD:
        r = api2.get("/api/v1/metrics/programs/wp/comparison?" + q)
        if r.status_code >= 500:
            bad.append(("prog api", q, r.status_code))
    for path in [
        "/metrics/pulses/answer/%00/5/",
        "/metrics/pulses/answer/" + "a" * 5000 + "/5/",
        "/metrics/pulses/answer/abc/99999999999999999999999/",
        "/metrics/pulses/answer/%C3%A9/5/",
        "/metrics/pulses/99999999999999999999999/",
        "/metrics/communities/ml/report/9999-12/",
        "/metrics/communities/ml/report/0000-00/",
        "/metrics/pulses/answer/abc/",
    ]:
        r = client.get(path)
        if r.status_code >= 500:
            bad.append((path, r.status_code))
    for body in [
        {"token": "\x00", "score": 5},
        {"token": "a", "score": 10**30},
        {"token": "a" * 5000, "score": 5},
        {"token": "a", "score": "x"},
        {"token": "a", "score": 5, "comment": "\x00"},
    ]:
        r = client.post("/api/v1/metrics/pulse-answers", body, content_type="application/json")
        if r.status_code >= 500:
            bad.append(("answer api", body, r.status_code))
    for p in [
        "/api/v1/metrics/pulses/99999999999999999999999",
        "/api/v1/metrics/communities/ml/panels/xx",
        "/api/v1/metrics/communities/ml/panels/growth/series/%00",
    ]:
        r = api.get(p)
        if r.status_code >= 500:
            bad.append((p, r.status_code))
    assert not bad, bad
