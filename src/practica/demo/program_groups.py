"""Grassroots groups across the program, and the program's office.

Machine Learning's four groups come from the outreach step (`outreach_groups`: the reading
group's founder left the company days ago, the causal-inference study group's months ago and
a member took it over); here they get their cadence and meeting note and what they did: the
community's threads and meetings on their topics since they started. The two groups that
still thrive take them up to today; the two whose founder left took them only while the
founder was there (the reading group has no active owner now; the study group has been
quiet since, and idle unless members came and went).

The sister communities get three more: Responsible AI's reading group (its monthly series of
sessions becomes the group's meetings, its regulars the members; upcoming sessions on its
calendar), a Data Engineering study group gone idle after its founder left the company with
nobody to take it over, and an Artificial Intelligence hackathon team archived once its
hackathon was over. Finally the open health alerts the daily check would hold today (counting,
like the check, membership changes and the grants reported for a group, so this step runs after
the budget's), and the people of the program office: the community managers of Machine
Learning and Artificial Intelligence.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from practica.communities.models import (
    Group,
    GroupCadence,
    GroupKind,
    GroupMembership,
    GroupRole,
    Program,
)
from practica.demo.communities import AI, DATA_ENGINEERING, RESPONSIBLE_AI
from practica.demo.events import HORIZON
from practica.demo.growth import ML
from practica.demo.logins import MEMBER_EMAIL
from practica.demo.people import PersonPlan
from practica.demo.program_group_work import (
    GroupWork,
    Stint,
    event_candidates,
    save_health_alerts,
    save_work,
    take_threads,
    thread_candidates,
)
from practica.demo.program_people import (
    current_community_manager,
    is_member_at,
    manager,
    members_at,
    on_day,
    person_by_id,
    program_rng,
)
from practica.events.models import EventFormat as F

if TYPE_CHECKING:
    import random

    from practica.demo.story import DemoStory

MEETING_FORMATS = (F.STUDY_SESSION, F.MEETUP, F.TUTORIAL, F.HANDS_ON_LAB, F.TALK, F.WEBINAR)


@dataclass(frozen=True)
class GroupStyle:
    cadence: str
    meeting_note: str
    idle_after_days: int
    topics: tuple[str, ...]
    thriving: bool  # what it did runs up to today; otherwise only while its founder stayed


ML_STYLES = {
    "llm-practitioners": GroupStyle(
        GroupCadence.MONTHLY,
        "Show-and-tell on the first Thursday of the month, 16:00 Dublin time, online.",
        60,
        ("large-language-models", "transformers", "dialogue-systems", "summarization"),
        thriving=True,
    ),
    "bayesian-methods-study-group": GroupStyle(
        GroupCadence.WEEKLY,
        "Thursdays 12:00 Shanghai time, room 3.14 or online.",
        30,
        ("bayesian-inference", "statistics", "clustering"),
        thriving=True,
    ),
    "rl-reading-group": GroupStyle(
        GroupCadence.MONTHLY,
        "First Tuesday of the month, 17:00 Zurich time, online; the paper is posted a week before.",
        60,
        ("reinforcement-learning", "offline-reinforcement-learning", "multi-armed-bandits"),
        thriving=False,
    ),
    "causal-inference-study-group": GroupStyle(
        GroupCadence.FORTNIGHTLY,
        "Every other Wednesday, 12:00 New York time, room 4.12 or online.",
        45,
        ("hypothesis-testing", "survival-analysis", "supervised-learning", "data-visualization"),
        thriving=False,
    ),
}
RAI_GROUP = (
    "Responsible AI reading group",
    "rai-reading-group",
    "One paper a month on fairness, interpretability, privacy or safety, chosen by the group "
    "and introduced by a volunteer. Everyone welcome, whatever your background.",
    "Second Thursday of the month, 16:00 London time, online.",
)
RAI_TOPICS = ("fairness", "interpretability", "differential-privacy", "ai-safety", "robustness")
DE_GROUP = (
    "Stream processing study group",
    "stream-processing-study-group",
    "Working through stream processing in practice: windows, watermarks, exactly-once, and "
    "the pipelines we run ourselves.",
    "Every other Tuesday, 10:00 Dublin time, room 2.07.",
)
AI_TEAM = (
    "Meeting summarizer hackathon team",
    "meeting-summarizer-team",
    "The team behind the meeting summarizer prototype of the 2019 AI hackathon.",
    "The prototype reached the dogfood ring and its product team took it over; the team has "
    "done what it set out to do.",
)


def _ml_groups(story: "DemoStory", rng: "random.Random") -> list[GroupWork]:
    people = person_by_id(story)
    rows = list(Group.objects.filter(community=story.communities[ML]).order_by("created_at"))
    stints = GroupMembership.objects.filter(group__in=rows).order_by("joined_at", "pk")
    by_group: dict[int, list[Stint]] = {row.pk: [] for row in rows}
    for s in stints:
        by_group[s.group_id].append(Stint(people[s.person_id], s.role, s.joined_at, s.left_at))
    groups: list[GroupWork] = []
    taken_threads: set[int] = set()
    taken_events: set[int] = set()
    threads = max(6, min(30, story.members // 150))
    events = max(3, min(12, story.members // 500))
    for row in rows:
        style = ML_STYLES.get(row.slug)
        if style is None:
            continue
        Group.objects.filter(pk=row.pk).update(
            cadence=style.cadence,
            meeting_note=style.meeting_note,
            idle_after_days=style.idle_after_days,
            updated_at=row.created_at,
        )
        owners = [s for s in by_group[row.pk] if s.role == GroupRole.OWNER]
        group = GroupWork(
            row.pk, row.slug, ML, row.created_at, style.idle_after_days, owners[0].person,
            stints=by_group[row.pk],
        )  # fmt: skip
        start = row.created_at + timedelta(days=7)
        until = story.now if style.thriving else (group.founder.left_at or story.now)
        found = thread_candidates(
            story, ML, topics=style.topics, start=start, until=until, taken=taken_threads
        )
        take_threads(rng, group, found, threads)
        taken_threads.update(t.id for t in group.threads)
        meetings_until = story.now + HORIZON if style.thriving else until
        found_events = event_candidates(
            story, ML, topics=style.topics, start=start, until=meetings_until,
            formats=MEETING_FORMATS, taken=taken_events,
        )  # fmt: skip
        group.events = found_events[-events:]
        taken_events.update(e.id for e in group.events)
        groups.append(group)
    _member_login_joins(story, groups)
    return groups


def _member_login_joins(story: "DemoStory", groups: list[GroupWork]) -> None:
    """The member login joined the LLM practitioners a few weeks ago (their groups page)."""
    member = story.logins[MEMBER_EMAIL]
    for group in groups:
        if group.slug == "llm-practitioners" and not group.stints_of(member):
            joined = max(member.memberships[ML].joined_at, story.now - timedelta(days=24))
            group.stints.append(Stint(member, GroupRole.MEMBER, joined, saved=False))


def _new_group(
    story: "DemoStory",
    community: str,
    spec: tuple[str, str, str, str],
    *,
    kind: str,
    cadence: str,
    created_at: datetime,
    **fields,
) -> Group:
    name, slug, description, note = spec
    row = Group(
        community=story.communities[community],
        name=name,
        slug=slug,
        kind=kind,
        description=description,
        cadence=cadence,
        created_at=created_at,
        **fields,
    )
    if kind == GroupKind.HACKATHON_TEAM:
        row.archive_note = note
    else:
        row.meeting_note = note
    return row


def _rai_reading_group(story: "DemoStory", rng: "random.Random") -> tuple[Group, GroupWork] | None:
    """The series' sessions become the group's meetings; its regulars, its members."""
    sessions = [e for e in story.events if e.series == "rai-reading-group"]
    if not sessions:
        return None
    organizers = Counter(id(e.organizer) for e in sessions)
    by_id = {id(e.organizer): e.organizer for e in sessions}
    owner = next(
        (
            by_id[key]
            for key, _n in organizers.most_common()
            if by_id[key].left_at is None and RESPONSIBLE_AI in by_id[key].memberships
        ),
        sessions[0].organizer,
    )
    first = min(e.created_at for e in sessions)
    created = max(first - timedelta(days=10), owner.memberships[RESPONSIBLE_AI].joined_at)
    created += timedelta(hours=2)
    row = _new_group(
        story, RESPONSIBLE_AI, RAI_GROUP,
        kind=GroupKind.READING, cadence=GroupCadence.MONTHLY, created_at=created,
    )  # fmt: skip
    group = GroupWork(0, RAI_GROUP[1], RESPONSIBLE_AI, created, 60, owner)
    group.stints.append(Stint(owner, GroupRole.OWNER, created, saved=False))
    group.events = sessions
    first_seen: dict[int, tuple[datetime, PersonPlan]] = {}
    visits: Counter = Counter()
    for session in sessions:
        for registration in session.registrations:
            person = registration.person
            membership = person.memberships.get(RESPONSIBLE_AI)
            at = registration.registered_at
            if person is owner or membership is None or not is_member_at(membership, at):
                continue
            visits[id(person)] += 1
            first_seen.setdefault(id(person), (at, person))
    regulars = [key for key, n in visits.most_common() if n >= 2][: max(4, story.members // 150)]
    for key in sorted(regulars, key=lambda k: first_seen[k][0]):
        at, person = first_seen[key]
        membership = person.memberships[RESPONSIBLE_AI]
        joined = max(created, membership.joined_at, at - timedelta(days=rng.uniform(1, 20)))
        group.stints.append(Stint(person, GroupRole.MEMBER, joined, membership.left_at, False))
    found = thread_candidates(
        story, RESPONSIBLE_AI, topics=RAI_TOPICS, start=created + timedelta(days=7),
        until=story.now, taken=set(),
    )  # fmt: skip
    take_threads(rng, group, found, max(4, min(20, story.members // 300)))
    return row, group


def _de_study_group(story: "DemoStory", rng: "random.Random") -> tuple[Group, GroupWork] | None:
    """Founded by a member who left the company a few months ago; nobody took it over."""
    now = story.now

    def left_company(m, earliest: datetime, tenure: int) -> bool:
        person = m.person
        return (
            person.left_at is not None
            and earliest <= person.left_at <= now - timedelta(days=120)
            and m.left_at == person.left_at
            and person.left_at - m.joined_at > timedelta(days=tenure)
        )

    de = [m for m in story.memberships if m.community == DATA_ENGINEERING]
    de.sort(key=lambda m: m.person.user.email)
    leavers = [m for m in de if left_company(m, now - timedelta(days=420), 365)] or [
        m for m in de if left_company(m, on_day(date(2019, 1, 1), 0), 200)
    ]
    if not leavers:
        return None
    founding = rng.choice(leavers)
    founder, left = founding.person, founding.person.left_at
    assert left is not None  # a leaver
    created = founding.joined_at + (left - founding.joined_at) * rng.uniform(0.3, 0.5)
    row = _new_group(
        story, DATA_ENGINEERING, DE_GROUP,
        kind=GroupKind.STUDY, cadence=GroupCadence.FORTNIGHTLY, created_at=created,
    )  # fmt: skip
    group = GroupWork(0, DE_GROUP[1], DATA_ENGINEERING, created, 45, founder)
    group.stints.append(Stint(founder, GroupRole.OWNER, created, left, saved=False))
    # Members who are still here, so nothing has changed since the founder left.
    staying = [m for m in members_at(story, DATA_ENGINEERING, created) if m.left_at is None]
    staying = [m for m in staying if m.person is not founder]
    for m in rng.sample(staying, min(len(staying), max(3, min(12, story.members // 400)))):
        joined = created + (left - created) * rng.uniform(0.02, 0.6)
        group.stints.append(Stint(m.person, GroupRole.MEMBER, joined, saved=False))
    topics = ("stream-processing", "data-pipelines", "data-quality", "data-lakes")
    found = thread_candidates(
        story, DATA_ENGINEERING, topics=topics, start=created, until=left, taken=set()
    )
    take_threads(rng, group, found, max(3, min(12, story.members // 300)), stay_only=True)
    return row, group


def _ai_hackathon_team(story: "DemoStory", rng: "random.Random") -> tuple[Group, GroupWork] | None:
    created = on_day(date(2019, 5, 13), 15, 20)
    archived = on_day(date(2019, 10, 2), 16, 45)
    members = [m for m in members_at(story, AI, created) if m.person.left_at is None]
    team = rng.sample(members, min(4, len(members)))
    if not team:
        return None
    founder = team[0].person
    row = _new_group(
        story, AI, AI_TEAM, kind=GroupKind.HACKATHON_TEAM, cadence=GroupCadence.IRREGULAR,
        created_at=created, archived_at=archived, archived_by_id=founder.user.pk,
    )  # fmt: skip
    group = GroupWork(0, AI_TEAM[1], AI, created, 90, founder, archived=True)
    for n, m in enumerate(team):
        role = GroupRole.OWNER if n == 0 else GroupRole.MEMBER
        joined = created + timedelta(hours=n * rng.uniform(2, 30))
        group.stints.append(Stint(m.person, role, joined, m.person.left_at, saved=False))
    return row, group


def _sister_groups(story: "DemoStory", rng: "random.Random") -> list[GroupWork]:
    planned = [
        _rai_reading_group(story, rng),
        _de_study_group(story, rng),
        _ai_hackathon_team(story, rng),
    ]
    pairs = [pair for pair in planned if pair is not None]
    rows = Group.objects.bulk_create([row for row, _group in pairs])
    for row, group in zip(rows, (group for _row, group in pairs), strict=True):
        group.id = row.pk
        Group.objects.filter(pk=row.pk).update(
            idle_after_days=group.idle_after_days,
            updated_at=row.archived_at or row.created_at,
        )
    return [group for _row, group in pairs]


def _program_office(story: "DemoStory") -> None:
    office = [manager(story)]
    ai_manager = current_community_manager(story, AI)
    if ai_manager is not None and ai_manager is not office[0]:
        office.append(ai_manager)
    program = story.program
    assert program is not None
    Program.office.through.objects.bulk_create(
        [Program.office.through(program_id=program.pk, user_id=p.user.pk) for p in office]
    )


def save_program_groups(story: "DemoStory") -> None:
    """Step: the groups' cadence, work and members; new groups; alerts; the program office."""
    rng = program_rng(story, "groups")
    groups = _ml_groups(story, rng) + _sister_groups(story, rng)
    save_work(story, groups)
    story.counts["group_alerts"] = save_health_alerts(story, groups)
    story.counts["program_groups"] = len(groups)
    _program_office(story)
