"""The proposals of an edition: who proposed what, with whom, on which topics, and when.

Submitters are members of the community while the call is open, most of them experienced and
with listed expertise; a third bring co-speakers, mostly from their own team, some from another
division (the cross-division talks the community is proud of). Many submit in the last days
before the deadline. The count grows with the community: tens in 2014, over two hundred by
2026, about three hundred for the edition under review.
"""

from datetime import datetime, timedelta

from practica.conference.models import AudienceLevel, ProposalState, SpeakerStatus
from practica.demo import conference_catalogue as catalogue
from practica.demo.conference_plans import EditionPlan, FormatPlan, ProposalPlan, SpeakerPlan
from practica.demo.conference_setup import ConferencePlanner, track_for
from practica.demo.people import PersonPlan

FIRST_COUNT, LATEST_COUNT, CURRENT_COUNT = 30, 240, 300
GROWTH_YEARS = 12.5  # from spring 2014 to autumn 2026
MOST_PER_PERSON = 2
AUDIENCE = (
    (AudienceLevel.BEGINNER, 25),
    (AudienceLevel.INTERMEDIATE, 50),
    (AudienceLevel.ADVANCED, 25),
)


def proposal_count(planner: ConferencePlanner, edition: EditionPlan) -> int:
    if edition.is_current:
        full = CURRENT_COUNT
    else:
        elapsed = edition.year - catalogue.FIRST_YEAR + (0.5 if edition.season == "Autumn" else 0)
        share = min(1.0, elapsed / GROWTH_YEARS) ** 1.2
        full = FIRST_COUNT + (LATEST_COUNT - FIRST_COUNT) * share
    return planner.sized(full * planner.rng.uniform(0.93, 1.07), least=4)


def _token(planner: ConferencePlanner) -> str:
    return f"{planner.rng.getrandbits(160):040x}"


def _submit_moment(planner: ConferencePlanner, edition: EditionPlan) -> datetime:
    """Most proposals arrive in the call's last days; a few in its first week."""
    rng = planner.rng
    opens, closes = edition.cfp_opens_at, edition.cfp_closes_at
    span = (closes - opens).total_seconds()
    if rng.random() < 0.2:
        offset = span * rng.random()
    else:
        offset = span - min(span * 0.98, rng.expovariate(1 / (5 * 86400)))
    return opens + timedelta(seconds=max(3600.0, offset - 60))


def _submitter(planner: ConferencePlanner, at: datetime, busy: dict[int, int]) -> PersonPlan | None:
    full = {key for key, count in busy.items() if count >= MOST_PER_PERSON}

    def keen(person: PersonPlan) -> bool:
        return bool(person.topics) and (person.user.career_level or 0) >= 2

    drawn = planner.pool.draw(planner.rng, at, 1, full, keen)
    return drawn[0] if drawn else None


def _co_speakers(
    planner: ConferencePlanner, submitter: PersonPlan, topic: str, at: datetime, count: int
) -> list[PersonPlan]:
    """Mostly teammates; now and then someone from another division who works on the topic."""
    rng, chosen = planner.rng, []
    taken = {id(submitter)}
    home = planner.division(submitter)
    for _ in range(count):
        person = None
        roll = rng.random()
        if roll < 0.55 and submitter.team is not None:
            mates = submitter.team.people
            for _try in range(12):  # a teammate who is in the community
                mate = mates[rng.randrange(len(mates))]
                if id(mate) not in taken and planner.is_member(mate, at):
                    person = mate
                    break
        if person is None and roll < 0.85:
            pool = planner.topic_pools.get(topic)
            if pool is not None:
                found = pool.draw(rng, at, 1, taken, lambda p: planner.division(p) != home)
                person = found[0] if found else None
        if person is None:
            found = planner.pool.draw(rng, at, 1, taken)
            person = found[0] if found else None
        if person is not None:
            taken.add(id(person))
            chosen.append(person)
    return chosen


def _first_topic(planner: ConferencePlanner, submitter: PersonPlan) -> str:
    own = [t for t in submitter.topics if t in planner.paths]
    return planner.rng.choice(own) if own else planner.rng.choice(planner.community_topics)


def _topics(planner: ConferencePlanner, people: list[PersonPlan], first: str) -> list[str]:
    """The first topic, then up to two of the speakers' others or the first one's parent."""
    rng = planner.rng
    chosen = [first]
    others = [t for p in people for t in p.topics if t in planner.paths and t not in chosen]
    for _ in range(rng.choice((0, 1, 1, 2))):
        if others and rng.random() < 0.7:
            topic = rng.choice(others)
        else:
            lineage = planner.lineage[first]
            topic = lineage[1] if len(lineage) > 1 else rng.choice(planner.community_topics)
        if topic not in chosen:
            chosen.append(topic)
    return chosen


def _format(planner: ConferencePlanner, formats: list[FormatPlan]) -> FormatPlan:
    open_ = [f for f in formats if f.open_for_proposals]
    return planner.rng.choices(open_, [f.weight for f in open_])[0]


def _speakers(
    planner: ConferencePlanner,
    edition: EditionPlan,
    people: list[PersonPlan],
    created: datetime,
    submitted: datetime | None,
) -> list[SpeakerPlan]:
    """The submitter, accepted at once; co-speakers invited by mail who accepted (a few
    declined; in the edition under review a few have not answered yet)."""
    rng = planner.rng
    speakers = [SpeakerPlan(people[0], SpeakerStatus.ACCEPTED, True, created, created, 0,
                            _token(planner))]  # fmt: skip
    for position, person in enumerate(people[1:], start=1):
        invited = created + timedelta(minutes=rng.uniform(5, 600))
        roll = rng.random()
        if edition.is_current and roll < 0.1:
            status, answered = SpeakerStatus.INVITED, None
        else:
            status = SpeakerStatus.DECLINED if roll > 0.96 else SpeakerStatus.ACCEPTED
            answered = invited + timedelta(hours=rng.uniform(0.5, 72))
            limit = submitted or edition.cfp_closes_at
            if edition.is_current:
                limit = min(limit + timedelta(days=2), planner.now - timedelta(hours=2))
            answered = min(answered, limit)
            answered = max(answered, invited + timedelta(minutes=1))
        speakers.append(
            SpeakerPlan(person, status, False, invited, answered, position, _token(planner))
        )
    return speakers


def _links(planner: ConferencePlanner, submitter: PersonPlan, number: int) -> list[str]:
    rng = planner.rng
    if rng.random() > 0.3:
        return []
    team = submitter.team.unit.slug if submitter.team is not None else "ml"
    links = [f"https://git.corp.example.com/{team}/project-{number}"]
    if rng.random() < 0.4:
        links.append(f"https://share.corp.example.com/{team}/design-{number}.pdf")
    return links


def plan_proposals(planner: ConferencePlanner, edition: EditionPlan) -> None:
    """The edition's proposals with speakers, topics, texts, times and their state up to the
    review: a few drafts never submitted, a few withdrawn; the rest submitted."""
    rng = planner.rng
    busy: dict[int, int] = {}
    count = proposal_count(planner, edition)
    for number in range(count):
        submitted = _submit_moment(planner, edition)
        submitter = _submitter(planner, submitted, busy)
        if submitter is None:
            continue
        busy[id(submitter)] = busy.get(id(submitter), 0) + 1
        form = _format(planner, edition.formats)
        extra = rng.randint(2, 3) if form.kind == "panel" else 0
        roll = rng.random()
        extra = extra or (2 if roll < 0.07 else 1 if roll < 0.35 else 0)
        first_topic = _first_topic(planner, submitter)
        people = [submitter, *_co_speakers(planner, submitter, first_topic, submitted, extra)]
        topics = _topics(planner, people, first_topic)
        team = submitter.team.unit.name if submitter.team is not None else "our team"
        year = submitted.year  # as written: the era's tools, the year it speaks of
        created = max(
            edition.cfp_opens_at + timedelta(minutes=30),
            submitted - timedelta(hours=rng.uniform(1, 240)),
        )
        level = (
            AudienceLevel.BEGINNER
            if form.kind == "tutorial" and rng.random() < 0.5
            else rng.choices([a for a, _ in AUDIENCE], [w for _, w in AUDIENCE])[0]
        )
        seniority = ((submitter.user.career_level or 3) - 4) / 6
        plan = ProposalPlan(
            title=planner.writer.title(form.kind, year=year, topics=topics, team=team),
            abstract=planner.writer.abstract(form.kind, year=year, topics=topics, team=team),
            format=form,
            track=track_for(planner, edition, topics[0]),
            topics=topics,
            audience_level=level,
            created_by=submitter,
            created_at=created,
            quality=rng.gauss(seniority, 1.0),
            links=_links(planner, submitter, number + 1),
        )
        roll = rng.random()
        if roll < (0.03 if edition.is_current else 0.02):  # a draft never submitted
            plan.updated_at = created + timedelta(hours=rng.uniform(0.1, 48))
            plan.speakers = _speakers(planner, edition, people, created, None)
        else:
            plan.state = ProposalState.SUBMITTED
            plan.submitted_at = plan.updated_at = submitted
            plan.speakers = _speakers(planner, edition, people, created, submitted)
            if roll > 0.975:  # withdrawn before the decisions
                end = min(edition.review_closes_at, planner.now - timedelta(hours=3))
                plan.state = ProposalState.WITHDRAWN
                plan.withdrawn_at = submitted + (end - submitted) * rng.uniform(0.1, 0.9)
                plan.updated_at = plan.withdrawn_at
        edition.proposals.append(plan)
