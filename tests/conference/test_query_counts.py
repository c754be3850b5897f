"""The conference's list pages and list endpoints read a constant number of queries, however
many rows they show (no N+1): each is read with a few rows, then with three times as many,
and must take the same queries both times.

Every row is built rich (track, topics, co-speakers, bids, reviews, pins, agenda marks…) so
that whatever a page shows of a row is there to be read; each read also checks that the rows
added last are on the page, so an empty page cannot pass for a constant one.
"""

import re
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practica.conference.models import (
    AgendaItem,
    AssignmentPin,
    AssignmentRun,
    Bid,
    BidLevel,
    PinKind,
    ProgramSlot,
    ProposalComment,
    ProposalState,
    ReviewAssignment,
    RunStatus,
    SpeakerStatus,
)
from practica.conference.services.program import add_slot, publish_program
from practica.conference.services.reviews import save_review
from tests.api.clients import API, token_client
from tests.conference.assignment_setup import OrgChart
from tests.conference.program_helpers import accepted, at, invite, room
from tests.conference.reviewing_setup import move_to_review, review_values, reviewer_of, submitted
from tests.factories.conference import (
    CommitteeMemberFactory,
    EditionFactory,
    ProposalFactory,
    ReviewerVolunteerFactory,
    SessionFormatFactory,
    TrackFactory,
)
from tests.factories.core import TopicFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.django_db]

FEW, MORE = 2, 4  # rows at first, then added: 2 rows against 6

# Four-digit numbers: no name is the beginning of another one.
_numbers = count(1000)


def named(prefix: str) -> str:
    return f"{prefix} {next(_numbers)}"


# --- Counting ----------------------------------------------------------------------------------


def _shape(sql: str) -> str:
    """The query with its numbers and quoted values blanked, to group the repeated ones."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def queries_for(client: Client, url: str, data: dict | None = None, shows=()) -> list[str]:
    """The SQL of one GET, which must answer 200 with each of `shows` in its body."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {})
    assert response.status_code == 200, (url, response.status_code)
    body = response.content.decode()
    missing = [text for text in shows if text not in body]
    assert not missing, f"{url} does not show {missing}"
    return [query["sql"] for query in captured.captured_queries]


def assert_same_count(few: list[str], many: list[str]) -> None:
    """`many` (read with more rows) took as many queries as `few`; otherwise name the
    queries that came back more (or less) often."""
    if len(many) == len(few):
        return
    before, after = Counter(map(_shape, few)), Counter(map(_shape, many))
    changed = [
        f"{after[shape]}× (was {before[shape]}): {shape}"
        for shape in (after - before) | (before - after)
    ]
    pytest.fail(f"{len(few)} queries became {len(many)}:\n" + "\n".join(changed))


def assert_constant(
    client: Client, url: str, grow: Callable[[int], list[str]], data: dict | None = None
) -> None:
    """Read `url` with FEW rows, then with FEW + MORE: the same number of queries. `grow(n)`
    adds n rows and returns texts of them that the page must show."""
    few = queries_for(client, url, data, grow(FEW))
    many = queries_for(client, url, data, grow(MORE))
    assert_same_count(few, many)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> Client:
    """A token client whose token's first use is already recorded (an UPDATE that the next
    minute's requests skip), so that it does not count in the first read only."""
    client = token_client(user)
    assert client.get(f"{API}/conference/invitations/mine").status_code == 200
    return client


def person(**fields):
    return UserFactory(display_name=named("Person"), **fields)


# --- Rows --------------------------------------------------------------------------------------


def rich_proposal(edition, **fields):
    """A submitted proposal with a track, two topics and an accepted co-speaker."""
    fields.setdefault("title", named("Talk"))
    fields.setdefault("format", edition.formats.get(name="Talk"))
    fields.setdefault("track", edition.tracks.get(name="Research"))
    fields.setdefault("speakers", [person()])
    fields.setdefault("topics", [TopicFactory(), TopicFactory()])
    return ProposalFactory(edition=edition, **fields)


def edition_of(community, **fields):
    """An edition of `community` with a format, a track, a proposal and a reviewer."""
    edition = EditionFactory(community=community, name=named("Edition"), **fields)
    SessionFormatFactory(edition=edition, name="Talk")
    TrackFactory(edition=edition, name="Research")
    rich_proposal(edition)
    ReviewerVolunteerFactory(edition=edition)
    return edition


# --- Editions ----------------------------------------------------------------------------------


def _editions(community):
    def grow(rows):
        editions = [edition_of(community) for _ in range(rows)]
        editions.append(edition_of(community, is_published=False))
        return [edition.name for edition in editions]

    return grow


def test_the_community_editions_list(community, chair):
    url = reverse("conference:editions", args=[community.slug])
    assert_constant(as_user(chair), url, _editions(community))


def test_the_community_editions_endpoint(community, chair):
    path = f"{API}/conference/communities/{community.slug}/editions"
    assert_constant(api(chair), path, _editions(community))


def test_an_editions_page(edition):
    """Tracks, formats, topics, the committee and the viewer's own proposals."""
    speaker = person()
    ReviewerVolunteerFactory(edition=edition, person=speaker)

    def grow(rows):
        shown = []
        for _ in range(rows):
            track = TrackFactory(edition=edition, name=named("Track"))
            session_format = SessionFormatFactory(edition=edition, name=named("Format"))
            topic = TopicFactory(name=named("Topic"))
            edition.topics.add(topic)
            member = CommitteeMemberFactory(edition=edition, person=person())
            mine = rich_proposal(edition, created_by=speaker, topics=[topic])
            shown += [track.name, session_format.name, topic.name]
            shown += [member.person.display_name, mine.title]
        return shown

    url = reverse("conference:edition_detail", args=[edition.pk])
    assert_constant(as_user(speaker), url, grow)


# --- Proposals ---------------------------------------------------------------------------------


def _proposals(edition):
    def grow(rows):
        shown = []
        for _ in range(rows):
            proposal = rich_proposal(edition)
            speakers = [row.person.display_name for row in proposal.speakers.all()]
            shown += [proposal.title, *speakers]
        return shown

    return grow


@pytest.mark.parametrize("filtered", [False, True])
def test_the_committees_list_of_proposals(edition, committee_member, filtered):
    url = reverse("conference:edition_proposals", args=[edition.pk])
    data = {"track": edition.tracks.get(name="Research").pk, "q": "shipping"} if filtered else {}
    assert_constant(as_user(committee_member), url, _proposals(edition), data)


def test_the_committees_proposals_endpoint(edition, committee_member):
    path = f"{API}/conference/editions/{edition.pk}/proposals"
    assert_constant(api(committee_member), path, _proposals(edition))


def _mine(viewer, community):
    """Proposals of `viewer` (as submitter, as co-speaker, a draft), in new editions, and
    invitations waiting for them."""

    def grow(rows):
        shown = []
        for _ in range(rows):
            edition = edition_of(community)
            own = rich_proposal(edition, created_by=viewer)
            theirs = rich_proposal(edition, speakers=[viewer])
            draft = rich_proposal(
                edition, created_by=viewer, state=ProposalState.DRAFT, submitted_at=None
            )
            invited_to = rich_proposal(edition)
            invite(invited_to, viewer)
            shown += [own.title, theirs.title, draft.title, invited_to.title]
        return shown

    return grow


def test_my_proposals(community):
    viewer = person()
    url = reverse("conference:my_proposals")
    assert_constant(as_user(viewer), url, _mine(viewer, community))


@pytest.mark.parametrize("path", ["/conference/proposals/mine", "/conference/invitations/mine"])
def test_my_proposals_and_invitations_endpoints(community, path):
    viewer = person()
    grow = _mine(viewer, community)

    def shown(rows):
        # Four titles a row: own, co-presented, draft, then the invitation's proposal.
        titles = grow(rows)
        if path == "/conference/invitations/mine":
            return titles[3::4]
        return [title for number, title in enumerate(titles) if number % 4 != 3]

    assert_constant(api(viewer), f"{API}{path}", shown)


@pytest.mark.parametrize("viewer", ["speaker", "committee"])
def test_a_proposals_page(edition, committee_member, viewer):
    """Its speakers (accepted and invited) and its topics."""
    speaker = person()
    proposal = rich_proposal(edition, created_by=speaker)

    def grow(rows):
        shown = []
        for _ in range(rows):
            co_speaker = person()
            proposal.speakers.create(
                person=co_speaker,
                email=co_speaker.email,
                status=SpeakerStatus.ACCEPTED,
                position=9,
            )
            invited = invite(proposal, person())
            topic = TopicFactory(name=named("Topic"))
            proposal.topics.add(topic)
            shown += [co_speaker.display_name, invited.person.display_name, topic.name]
        return shown

    url = reverse("conference:proposal_detail", args=[proposal.pk])
    assert_constant(as_user(speaker if viewer == "speaker" else committee_member), url, grow)


# --- The reviewer pool and bidding -------------------------------------------------------------


def _biddable(edition, seat, topic):
    """Proposals on the bidder's topic (and another) with speakers; every other one bid on."""

    def grow(rows):
        shown = []
        for number in range(rows):
            proposal = rich_proposal(edition, topics=[topic, TopicFactory()])
            if number % 2:
                Bid.objects.create(reviewer=seat, proposal=proposal, level=BidLevel.EAGER)
            speakers = [row.person.display_name for row in proposal.speakers.all()]
            shown += [proposal.title, *speakers]
        return shown

    return grow


@pytest.mark.parametrize("show_all", ["", "1"])
def test_the_bidding_page(edition, show_all):
    topic = TopicFactory()
    bidder = person()
    seat = ReviewerVolunteerFactory(edition=edition, person=bidder, topics=[topic])
    url = reverse("conference:bids", args=[edition.pk])
    data = {"all": show_all} if show_all else {}
    assert_constant(as_user(bidder), url, _biddable(edition, seat, topic), data)


def test_the_bids_endpoint(edition):
    topic = TopicFactory()
    bidder = person()
    seat = ReviewerVolunteerFactory(edition=edition, person=bidder, topics=[topic])
    path = f"{API}/conference/editions/{edition.pk}/bids"
    assert_constant(api(bidder), path, _biddable(edition, seat, topic))


def _volunteers(edition):
    """Volunteers with expertise and an org unit, a bid and an assignment each; one set aside."""
    chart = OrgChart()

    def grow(rows):
        proposal = rich_proposal(edition)
        shown = []
        for number in range(rows):
            member = person(org_unit=chart.n1 if number % 2 else chart.s1)
            topic = TopicFactory(name=named("Topic"))
            seat = ReviewerVolunteerFactory(
                edition=edition, person=member, topics=[topic, TopicFactory()]
            )
            Bid.objects.create(reviewer=seat, proposal=proposal, level=BidLevel.WILLING)
            ReviewAssignment.objects.create(proposal=proposal, reviewer=member, source="manual")
            shown += [member.display_name, topic.name]
        aside = ReviewerVolunteerFactory(edition=edition, person=person(), is_active=False)
        return [*shown, aside.person.display_name]

    return grow


def test_the_chairs_reviewer_pool(edition, chair):
    url = reverse("conference:pool", args=[edition.pk])
    assert_constant(as_user(chair), url, _volunteers(edition))


def test_the_reviewer_pool_endpoint(edition, chair):
    path = f"{API}/conference/editions/{edition.pk}/reviewers"
    assert_constant(api(chair), path, _volunteers(edition))


# --- The assignment ----------------------------------------------------------------------------


def _assigned(edition, chair=None):
    """Proposals in review, each with two reviewers (one from a run, with a review started),
    a pin and a forbid; with `chair`, then a finished run proposing them, with its report."""
    chart = OrgChart()

    def grow(rows):
        shown = []
        for _ in range(rows):
            proposal = rich_proposal(edition, created_by=person(org_unit=chart.n1))
            first, second, forbidden = (person(org_unit=chart.s1) for _ in range(3))
            for member in (first, second, forbidden):
                ReviewerVolunteerFactory(edition=edition, person=member)
            ReviewAssignment.objects.create(
                proposal=proposal, reviewer=first, source="solver", affinity=0.7
            )
            ReviewAssignment.objects.create(
                proposal=proposal, reviewer=second, source="manual", affinity=0.4
            )
            save_review(proposal=proposal, reviewer=first, **review_values(edition))
            AssignmentPin.objects.create(proposal=proposal, person=first, kind=PinKind.PIN)
            AssignmentPin.objects.create(proposal=proposal, person=forbidden, kind=PinKind.FORBID)
            shown += [proposal.title, first.display_name, second.display_name]
        if chair is not None:
            _finished_run(edition, chair)
        return shown

    return grow


def _finished_run(edition, chair):
    """A finished run proposing the current assignments, with its report."""
    pairs = [
        [proposal_id, person_id, 0.5, {"text": 0.2, "topic": 0.2, "bid": 0.1}]
        for proposal_id, person_id in ReviewAssignment.objects.filter(
            proposal__edition=edition
        ).values_list("proposal_id", "reviewer_id")
    ]
    weakest = [
        {"proposal_id": proposal.pk, "title": proposal.title, "affinity": 0.3}
        for proposal in edition.proposals.all()
    ]
    return AssignmentRun.objects.create(
        edition=edition,
        status=RunStatus.DONE,
        progress=100,
        started_by=chair,
        parameters={"reviewers_per_proposal": 2, "min_load": 0, "max_load": 3},
        pairs=pairs,
        report={
            "mode": "max",
            "total_affinity": 3.2,
            "min_proposal_affinity": 0.3,
            "upper_bound": 3.4,
            "gap": 0.05,
            "load": {"min": 1, "max": 2, "mean": 1.5, "counts": {"1": 3, "2": 2}},
            "histogram": {"edges": [0.0, 0.5, 1.0], "counts": [2, len(weakest)]},
            "quantiles": {"10": 0.3, "25": 0.4, "50": 0.5, "75": 0.6, "90": 0.7},
            "pairs": len(pairs),
            "pinned_pairs": 1,
            "conflicts": 2,
            "proposals": len(weakest),
            "weakest": weakest,
            "seconds": 1.2,
            "affinity_seconds": 0.4,
        },
    )


@pytest.mark.parametrize("view", ["", "run"])
def test_the_assignment_page_with_a_report(edition, chair, view):
    """The latest run's report and the proposals with their reviewers and pins: as they are
    now, and as the run proposes them (`view=run`)."""
    move_to_review(edition)
    url = reverse("conference:assignment", args=[edition.pk])
    assert_constant(as_user(chair), url, _assigned(edition, chair), {"view": view})


def test_a_proposals_assignment_page(edition, chair):
    """Its reviewers (with their reviews), pins and forbids, the conflicts of interest (the
    speaker's teammates) and the pool to assign from."""
    move_to_review(edition)
    chart = OrgChart()
    proposal = rich_proposal(edition, created_by=person(org_unit=chart.n1))

    def grow(rows):
        shown = []
        for _ in range(rows):
            assigned, pinned, forbidden, idle = (person(org_unit=chart.s1) for _ in range(4))
            teammate = person(org_unit=chart.n1)
            for member in (assigned, pinned, forbidden, idle, teammate):
                ReviewerVolunteerFactory(edition=edition, person=member)
            submitted(proposal, reviewer_of(proposal, assigned))
            reviewer_of(proposal, pinned)
            AssignmentPin.objects.create(proposal=proposal, person=pinned, kind=PinKind.PIN)
            AssignmentPin.objects.create(proposal=proposal, person=forbidden, kind=PinKind.FORBID)
            shown += [member.display_name for member in (assigned, pinned, forbidden, idle)]
            shown.append(teammate.display_name)
        return shown

    url = reverse("conference:assignment_proposal", args=[proposal.pk])
    assert_constant(as_user(chair), url, grow)


def test_the_assignments_endpoint(edition, chair):
    move_to_review(edition)
    path = f"{API}/conference/editions/{edition.pk}/assignments"
    assert_constant(api(chair), path, _assigned(edition))


# --- Reviews -----------------------------------------------------------------------------------


def _to_review(reviewer, community):
    """Assignments of `reviewer` in new editions in review: one submitted, one draft, one not
    started."""

    def grow(rows):
        shown = []
        for _ in range(rows):
            edition = move_to_review(edition_of(community))
            for criterion, weight in (("Relevance", 2), ("Clarity", 1)):
                edition.criteria.create(name=criterion, weight=weight, position=weight)
            done, drafted, waiting = (rich_proposal(edition) for _ in range(3))
            for proposal in (done, drafted, waiting):
                reviewer_of(proposal, reviewer)
            submitted(done, reviewer)
            save_review(proposal=drafted, reviewer=reviewer, **review_values(edition))
            shown += [done.title, drafted.title, waiting.title]
        return shown

    return grow


def test_my_reviews(community):
    reviewer = person()
    url = reverse("conference:my_reviews")
    assert_constant(as_user(reviewer), url, _to_review(reviewer, community))


def test_my_reviews_endpoint(community):
    reviewer = person()
    path = f"{API}/conference/reviews/mine"
    assert_constant(api(reviewer), path, _to_review(reviewer, community))


@pytest.mark.parametrize("viewer", ["committee", "reviewer"])
def test_the_review_page_with_several_reviews(edition, committee_member, viewer):
    """The submitted reviews with their scores and reviewers, who reviews and how far (the
    committee), the discussion."""
    move_to_review(edition)
    proposal = rich_proposal(edition)
    own = reviewer_of(proposal, person())
    submitted(proposal, own)

    def grow(rows):
        shown = []
        for _ in range(rows):
            done, drafting, waiting = (reviewer_of(proposal, person()) for _ in range(3))
            submitted(proposal, done)
            save_review(proposal=proposal, reviewer=drafting, **review_values(edition))
            author = person()
            ProposalComment.objects.create(proposal=proposal, author=author, body="Hm.")
            shown += [done.display_name, author.display_name]
            if viewer == "committee":
                shown += [drafting.display_name, waiting.display_name]
        return shown

    url = reverse("conference:review", args=[proposal.pk])
    assert_constant(as_user(committee_member if viewer == "committee" else own), url, grow)


# --- The program -------------------------------------------------------------------------------


def _program(edition, chair, attendee, *, placed_only=True):
    """Sessions across both days and rooms (each with a shared and an own co-speaker, half in
    a track), a proposal waiting for its place, a keynote by a member and a break; the
    program published, every slot but the breaks on `attendee`'s agenda and someone else's.
    The page must show the placed ones, and with `placed_only` False those waiting too."""
    shared = person()

    def grow(rows):
        shown = []
        placed = ProgramSlot.objects.filter(edition=edition).count()
        for number in range(placed, placed + rows):
            co_speaker = person()
            proposal = accepted(
                edition,
                title=named("Talk"),
                track_name="Research" if number % 2 else None,
                speakers=[shared, co_speaker],
                topics=[TopicFactory()],
            )
            start = at(edition, "08:00", day=number % 2) + timedelta(minutes=30 * (number // 4))
            add_slot(
                edition=edition,
                kind="session",
                proposal=proposal,
                room=room(edition, "Main hall" if (number // 2) % 2 else "Room B"),
                starts_at=start,
                actor=chair,
            )
            waiting = accepted(edition, title=named("Waiting"))
            shown += [proposal.title, co_speaker.display_name]
            if not placed_only:
                shown.append(waiting.title)
        evening = at(edition, "20:00", day=0) + timedelta(minutes=30 * placed)
        keynote = add_slot(
            edition=edition,
            kind="keynote",
            title=named("Keynote"),
            speaker=person(),
            room=room(edition),
            starts_at=evening,
            minutes=15,
            actor=chair,
        )
        add_slot(
            edition=edition, kind="break", starts_at=evening + timedelta(minutes=15), actor=chair
        )
        if edition.program_published_at is None:
            publish_program(edition=edition, actor=chair)
            edition.refresh_from_db()
        for slot in ProgramSlot.objects.filter(edition=edition).exclude(kind="break"):
            AgendaItem.objects.get_or_create(person=attendee, slot=slot)
            AgendaItem.objects.create(person=person(), slot=slot)
        return [*shown, keynote.title, keynote.speaker.display_name]

    return grow


@pytest.mark.parametrize(
    ("page", "who"),
    [
        ("program", "attendee"),
        ("program", "chair"),
        ("program_builder", "chair"),
        ("my_agenda", "attendee"),
    ],
)
def test_the_program_pages(edition, chair, page, who):
    attendee = person()
    url = reverse(f"conference:{page}", args=[edition.pk])
    client = as_user(attendee if who == "attendee" else chair)
    grow = _program(edition, chair, attendee, placed_only=page != "program_builder")
    assert_constant(client, url, grow)


def test_the_program_filtered_by_track(edition, chair):
    """The Research track's sessions and the slots for everyone (the keynotes)."""
    attendee = person()
    url = reverse("conference:program", args=[edition.pk])
    grow = _program(edition, chair, attendee)
    research = {"track": edition.tracks.get(name="Research").pk}
    # The keynote's title and speaker close each batch; half the sessions are filtered out.
    assert_constant(as_user(attendee), url, lambda rows: grow(rows)[-2:], research)


@pytest.mark.parametrize("endpoint", ["program", "agenda", "program/unscheduled"])
def test_the_program_endpoints(edition, chair, endpoint):
    attendee = person()
    path = f"{API}/conference/editions/{edition.pk}/{endpoint}"
    if endpoint == "program/unscheduled":
        grow = _program(edition, chair, attendee, placed_only=False)
        assert_constant(api(chair), path, lambda rows: grow(rows)[2::3])
    else:
        assert_constant(api(attendee), path, _program(edition, chair, attendee))
