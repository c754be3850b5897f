"""The program screens: directory, program page, calendar (+ .ics), dashboard (+ CSV), manage."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import Access, Membership, MembershipRole
from practica.core.models import Topic
from tests.factories.communities import (
    CommunityFactory,
    GroupFactory,
    MembershipFactory,
    ProgramFactory,
)
from tests.factories.people import UserFactory
from tests.factories.program import fake_metric, make_entry

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

HOUR = timedelta(hours=1)
MAY_2031 = datetime(2031, 5, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def login(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# --- Directory -----------------------------------------------------------------------------


def test_signing_in_is_needed(client, program):
    for name in ("list", "detail", "calendar", "dashboard", "manage"):
        url = reverse(f"programs:{name}", args=[] if name == "list" else [program.slug])
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("people:login"))


def test_the_directory_lists_programs_with_their_sizes(signed_in, program, ml, ai):
    MembershipFactory.create_batch(2, community=ml)
    shared = MembershipFactory(community=ai).person
    MembershipFactory(community=ml, person=shared)
    ProgramFactory(name="Engineering Guilds")

    response = signed_in.get(reverse("programs:list"))

    assert response.status_code == 200
    page = text(response)
    assert "Worldwide Communities" in page
    assert "Engineering Guilds" in page
    assert "2 communities" in page
    assert "3 people" in page  # the person in both communities counts once


def test_the_directory_pages_long_lists(signed_in, settings):
    settings.PRACTICA_PAGE_SIZE = 2
    for number in range(5):
        ProgramFactory(name=f"Program {number}")

    response = signed_in.get(reverse("programs:list"), {"page": 3})

    assert response.context["page_obj"].number == 3
    assert [program.name for program in response.context["page_obj"]] == ["Program 4"]


def test_an_empty_directory_says_so(signed_in):
    assert "No programs yet" in text(signed_in.get(reverse("programs:list")))


def test_the_program_page_shows_each_community(signed_in, program, ml, ai, fake_calendar):
    ai.access = Access.CLOSED
    ai.save()
    manager = UserFactory(display_name="Mia Manager")
    MembershipFactory(community=ml, person=manager, role=MembershipRole.MANAGER)
    MembershipFactory.create_batch(2, community=ml)
    topic = Topic.objects.create(name="Deep learning", slug="deep-learning", path="deep-learning")
    ml.topics.add(topic)
    now = timezone.now()
    fake_calendar.add(
        make_entry(ml, now + HOUR, title="Transformers deep dive", url="/events/1/"),
        make_entry(ai, now + 2 * HOUR, title="Agents AMA", co_hosts=[ml]),
    )

    response = signed_in.get(reverse("programs:detail", args=[program.slug]))

    assert response.status_code == 200
    page = text(response)
    assert "Machine Learning" in page
    assert "3 members" in page
    assert "Mia Manager" in page
    assert "Deep learning" in page
    assert "Transformers deep dive" in page
    assert "co-hosted by Artificial Intelligence, Machine Learning" in page
    assert "Join Machine Learning" in page  # open: one click
    assert "Ask to join Artificial Intelligence" in page  # closed: via the community page
    assert "Olga Office" in page  # the office
    assert response.context["people_total"] == 3
    assert reverse("programs:calendar", args=[program.slug]) in page
    # A member is neither in the office nor in a community's leadership.
    assert reverse("programs:dashboard", args=[program.slug]) not in page
    assert reverse("programs:manage", args=[program.slug]) not in page


def test_a_member_sees_their_role_instead_of_a_join_button(signed_in, member, program, ml):
    MembershipFactory(community=ml, person=member, role=MembershipRole.LEADER)

    page = text(signed_in.get(reverse("programs:detail", args=[program.slug])))

    assert "Join Machine Learning" not in page
    assert "Leader" in page
    assert reverse("programs:dashboard", args=[program.slug]) in page


def test_joining_from_the_program_page_comes_back_to_it(signed_in, member, program, ml):
    response = signed_in.post(
        reverse("communities:join", args=[ml.slug]),
        {"next": reverse("programs:detail", args=[program.slug])},
    )

    assert response["Location"] == reverse("programs:detail", args=[program.slug])
    assert Membership.objects.current().filter(community=ml, person=member).exists()


def test_a_program_without_communities_has_an_empty_state(client, program, office_member):
    page = text(login(client, office_member).get(reverse("programs:detail", args=[program.slug])))
    assert "No communities in this program yet" in page
    assert "Manage the program" in page


def test_an_unknown_program_is_a_404(signed_in):
    assert signed_in.get(reverse("programs:detail", args=["nope"])).status_code == 404


# --- Calendar ------------------------------------------------------------------------------


def calendar_url(program, **params):
    return reverse("programs:calendar", args=[program.slug]), params


def test_the_month_grid_shows_entries_clashes_and_co_hosts(
    signed_in, program, ml, ai, fake_calendar
):
    fake_calendar.add(
        make_entry(ml, MAY_2031, title="ML talk", url="/events/1/"),
        make_entry(ai, MAY_2031 + HOUR / 2, title="AI talk"),
        make_entry(ai, MAY_2031 + 48 * HOUR, title="Joint keynote", co_hosts=[ml]),
    )

    response = signed_in.get(*calendar_url(program, month="2031-05"))

    assert response.status_code == 200
    page = text(response)
    assert "May 2031" in page
    assert "ML talk" in page
    assert "Joint keynote" in page
    assert "Artificial Intelligence, Machine Learning" in page
    assert page.count("pc-entry pc-colour-1 is-clash") == 1  # ML is the second colour
    assert page.count("pc-entry pc-colour-0 is-clash") == 1
    assert "1 clash" in page
    assert response.context["calendar"].clashes[0].first.entry.title == "ML talk"
    assert "?month=2031-04" in page
    assert "?month=2031-06" in page


def test_the_calendar_shows_the_viewers_days_and_times(client, program, ml, fake_calendar):
    viewer = UserFactory(time_zone="Asia/Shanghai")
    fake_calendar.add(make_entry(ml, datetime(2031, 5, 13, 23, 30, tzinfo=UTC), title="Early"))

    response = login(client, viewer).get(*calendar_url(program, month="2031-05"))

    [cell] = [cell for week in response.context["weeks"] for cell in week if cell.entries]
    assert cell.day.day == 14
    assert "07:30" in text(response)


def test_the_calendar_filters_by_community(signed_in, program, ml, ai, fake_calendar):
    fake_calendar.add(
        make_entry(ml, MAY_2031, title="ML talk"),
        make_entry(ai, MAY_2031 + 24 * HOUR, title="AI talk"),
    )

    response = signed_in.get(*calendar_url(program, month="2031-05", community="ml"))

    titles = [item.entry.title for item in response.context["calendar"].entries]
    assert titles == ["ML talk"]
    assert "community=ml" in text(response)  # navigation keeps the filter


def test_the_list_view_groups_entries_by_day_and_pages(
    signed_in, settings, program, ml, fake_calendar
):
    settings.PRACTICA_PAGE_SIZE = 2
    fake_calendar.add(
        *(make_entry(ml, MAY_2031 + day * 24 * HOUR, title=f"Talk {day}") for day in range(3))
    )

    response = signed_in.get(*calendar_url(program, month="2031-05", view="list"))

    assert response.status_code == 200
    assert [len(items) for _day, items in response.context["list_days"]] == [1, 1]
    assert response.context["page_obj"].paginator.count == 3
    second = signed_in.get(*calendar_url(program, month="2031-05", view="list", page=2))
    assert "Talk 2" in text(second)


def test_an_empty_month_says_so(signed_in, program, ml, fake_calendar):
    page = text(signed_in.get(*calendar_url(program, month="2031-05")))
    assert "Nothing on the calendar this month" in page
    assert "No clashes" in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"month": "May"}, "YYYY-MM"),
        ({"month": "2031-13"}, "between 2000 and 2100"),
        ({"month": "1999-12"}, "between 2000 and 2100"),
        ({"community": "stats"}, "Select a valid choice"),
        ({"view": "year"}, "Select a valid choice"),
    ],
)
@pytest.mark.usefixtures("ml", "outsider", "fake_calendar")
def test_bad_choices_are_a_400_with_the_reason(signed_in, program, params, message):
    response = signed_in.get(*calendar_url(program, **params))

    assert response.status_code == 400
    assert message in text(response)


def test_the_ics_download_has_one_event_per_entry(signed_in, program, ml, ai, fake_calendar):
    now = timezone.now()
    fake_calendar.add(
        make_entry(ml, now + HOUR, title="ML talk", url="/events/9/", location="Room 1"),
        make_entry(ai, now + HOUR, title="AI talk"),
        make_entry(ml, now + 400 * 24 * HOUR, title="Far away"),
    )

    response = signed_in.get(reverse("programs:calendar_ics", args=[program.slug]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="worldwide.ics"' in response["Content-Disposition"]
    feed = icalendar.Calendar.from_ical(response.content)
    events = {str(event["SUMMARY"]): event for event in feed.walk("VEVENT")}
    assert set(events) == {"ML talk", "AI talk"}
    assert str(events["ML talk"]["URL"]).endswith("/events/9/")
    assert str(events["ML talk"]["LOCATION"]) == "Room 1"
    assert "Clashes with an entry of Artificial Intelligence" in str(
        events["ML talk"]["DESCRIPTION"]
    )
    assert str(feed["X-WR-CALNAME"]) == "Worldwide Communities"


def test_the_ics_download_filters_and_refuses_bad_input(signed_in, program, ml, ai, fake_calendar):
    now = timezone.now()
    fake_calendar.add(make_entry(ml, now + HOUR, title="ML"), make_entry(ai, now, title="AI"))
    url = reverse("programs:calendar_ics", args=[program.slug])

    feed = icalendar.Calendar.from_ical(signed_in.get(url, {"community": "ai"}).content)
    assert [str(event["SUMMARY"]) for event in feed.walk("VEVENT")] == ["AI"]
    assert signed_in.get(url, {"days": "1000"}).status_code == 400
    assert signed_in.get(url, {"community": "nope"}).status_code == 400


# --- Dashboard -----------------------------------------------------------------------------


@pytest.fixture
def two_metrics(fake_metrics, ml, ai):
    fake_metrics(
        fake_metric("members", {ml.pk: Decimal(7000), ai.pk: Decimal(1200)}, label="Members"),
        fake_metric(
            "median_first_response_hours",
            {ml.pk: Decimal("1.5")},
            unit="hours",
            better="lower",
            label="=Median response",
        ),
    )


def test_the_dashboard_is_refused_to_a_plain_member(signed_in, program, ml, two_metrics):
    response = signed_in.get(reverse("programs:dashboard", args=[program.slug]))
    assert response.status_code == 403
    assert "program office" in text(response)
    csv_response = signed_in.get(reverse("programs:dashboard_csv", args=[program.slug]))
    assert csv_response.status_code == 403


def test_a_leader_compares_the_communities(client, program, ml_leader, two_metrics):
    response = login(client, ml_leader).get(reverse("programs:dashboard", args=[program.slug]))

    assert response.status_code == 200
    page = text(response)
    assert "7,000" in page
    assert "1,200" in page
    assert "1.5 h" in page
    assert "no data" in page
    assert page.count('<svg class="pc-chart"') == 2
    assert "Download CSV" in page


def test_the_dashboard_without_metrics_or_communities_has_empty_states(
    client, program, office_member, fake_metrics
):
    page = text(
        login(client, office_member).get(reverse("programs:dashboard", args=[program.slug]))
    )
    assert "No communities to compare yet" in page
    CommunityFactory(program=program)
    page = text(client.get(reverse("programs:dashboard", args=[program.slug])))
    assert "No metrics are defined yet" in page


def test_the_dashboard_csv(client, program, office_member, two_metrics):
    response = login(client, office_member).get(
        reverse("programs:dashboard_csv", args=[program.slug])
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="worldwide-dashboard.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Metric", "Key", "Unit", "Better", "Artificial Intelligence", "Machine Learning"],
        ["Members", "members", "count", "higher", "1200", "7000"],
        # A label a spreadsheet would take for a formula is quoted.
        ["'=Median response", "median_first_response_hours", "hours", "lower", "", "1.50"],
    ]


# --- Manage --------------------------------------------------------------------------------


@pytest.fixture
def office(client, office_member):
    return login(client, office_member)


def manage(program, name="manage", *args):
    return reverse(f"programs:{name}", args=[program.slug, *args])


def test_managing_is_refused_to_others(signed_in, program, ml):
    assert signed_in.get(manage(program)).status_code == 403
    response = signed_in.post(manage(program, "edit_description"), {"description": "Mine"})
    assert response.status_code == 403
    program.refresh_from_db()
    assert program.description != "Mine"
    assert signed_in.post(manage(program, "add_community"), {"community": "x"}).status_code == 403


def test_the_manage_page(office, program, ml, outsider):
    response = office.get(manage(program))

    assert response.status_code == 200
    page = text(response)
    assert "Olga Office" in page
    assert "Machine Learning" in page
    assert [
        community.name
        for community in response.context["community_form"].fields["community"].queryset
    ] == ["Statistics"]


def test_the_office_edits_the_description(office, program):
    response = office.post(manage(program, "edit_description"), {"description": "Our program."})

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.description == "Our program."
    assert "The description is saved." in text(office.get(manage(program)))


def test_a_too_long_description_is_shown_on_the_form(office, program):
    response = office.post(manage(program, "edit_description"), {"description": "x" * 5001})

    assert response.status_code == 400
    assert "at most 5000 characters" in text(response)


def test_the_office_adds_a_colleague_by_email_and_removes_them(office, program):
    colleague = UserFactory(email="cora@example.com", display_name="Cora Colleague")

    response = office.post(manage(program, "add_office"), {"email": "CORA@example.com"})
    assert response.status_code == 302
    assert program.office.filter(pk=colleague.pk).exists()

    response = office.post(manage(program, "remove_office", colleague.pk))
    assert response.status_code == 302
    assert not program.office.filter(pk=colleague.pk).exists()
    assert "Cora Colleague left the program office." in text(office.get(manage(program)))


def test_an_unknown_email_is_shown_on_the_form(office, program):
    response = office.post(manage(program, "add_office"), {"email": "nobody@example.com"})

    assert response.status_code == 400
    assert "Nobody with the email address nobody@example.com" in text(response)


def test_adding_someone_twice_comes_back_as_a_message(office, program, office_member):
    response = office.post(
        manage(program, "add_office"), {"email": office_member.email}, follow=True
    )
    assert "already in the program office" in text(response)


def test_giving_up_ones_own_seat_leads_back_to_the_program(office, program, office_member):
    response = office.post(manage(program, "remove_office", office_member.pk))

    assert response["Location"] == reverse("programs:detail", args=[program.slug])


def test_the_office_takes_communities_in_and_out(office, program, outsider):
    response = office.post(manage(program, "add_community"), {"community": "stats"})
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert outsider.program_id == program.pk

    response = office.post(manage(program, "remove_community", "stats"), follow=True)
    outsider.refresh_from_db()
    assert outsider.program_id is None
    assert "Statistics has left Worldwide Communities." in text(response)


def test_a_community_of_another_program_cannot_be_chosen(office, program):
    CommunityFactory(slug="guild", program=ProgramFactory())

    response = office.post(manage(program, "add_community"), {"community": "guild"})

    assert response.status_code == 400
    assert "Select a valid choice" in text(response)


def test_taking_out_a_community_that_is_not_in_gives_a_message(office, program, outsider):
    response = office.post(manage(program, "remove_community", "stats"), follow=True)
    assert "Statistics is not in this program." in text(response)


def test_staff_manage_any_program(client, staff, program):
    assert login(client, staff).get(manage(program)).status_code == 200


# --- Queries do not grow with the program --------------------------------------------------


def add_busy_community(program, fake_calendar, number):
    community = CommunityFactory(name=f"Busy {number}", program=program)
    MembershipFactory(community=community, role=MembershipRole.MANAGER)
    MembershipFactory.create_batch(2, community=community)
    topic = Topic.objects.create(name=f"Topic {number}", slug=f"topic-{number}", path=f"t{number}")
    community.topics.add(topic)
    group = GroupFactory(community=community)
    fake_calendar.add(
        make_entry(community, MAY_2031, group_id=group.pk),
        make_entry(community, timezone.now() + HOUR, group_id=group.pk),
    )


@pytest.mark.parametrize(
    ("name", "params"),
    [("detail", {}), ("calendar", {"month": "2031-05"}), ("calendar", {"view": "list"})],
)
def test_pages_make_as_many_queries_for_six_communities_as_for_two(
    signed_in, program, fake_calendar, name, params
):
    url = reverse(f"programs:{name}", args=[program.slug])
    for number in range(2):
        add_busy_community(program, fake_calendar, number)
    signed_in.get(url, params)  # warm the session and caches
    with CaptureQueriesContext(connection) as two:
        signed_in.get(url, params)
    for number in range(2, 6):
        add_busy_community(program, fake_calendar, number)
    with CaptureQueriesContext(connection) as six:
        signed_in.get(url, params)
    assert len(six.captured_queries) == len(two.captured_queries)
