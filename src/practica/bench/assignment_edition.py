"""A generated conference edition for `practica bench assignment`, written with bulk inserts.

- Topics: eight areas of five leaves each (the routing bench's names), each with its own
  pseudo-words, some words shared across topics, and general words shared by all.
- Org chart: `DIVISIONS` divisions × `GROUPS` groups × `TEAMS` teams. Every team has a lead
  (their manager is the group's lead, whose manager is the division's head); members report
  to their team's lead. Each division favours two areas.
- People: the reviewers and about as many speakers again; each has 1–3 true interests (mostly
  in their division's areas), listed expertise (a noisy copy), a bio written from them.
- Reviewers: volunteer with their expertise, a statement, the edition's most load (a tenth
  ask for less); some answered questions in the community and hosted events (texts from
  their interests), and some spoke at the previous edition.
- Proposals: a submitter (a reviewer a quarter of the time), a co-speaker a third of the time
  (mostly from the same division), 1–2 topics from the submitter's interests, text from them.
- Conflicts to avoid: the org chart's, co-speakers of this and the previous edition, about
  one declared conflict per ten proposals, and "conflict" bids; each reviewer bids on about
  ten proposals, mostly in their topics.

The generator keeps its own ground truth (`Truth`): every conflicted pair and each person's
division, computed from its arrays, not from the database — the bench checks the run's
pairs against it.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

from practica.bench.routing_history import AREAS

DIVISIONS = 5
GROUPS = 4
TEAMS = 5
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou", "er")]
UNUSABLE = "!bench"
START = datetime(2026, 1, 5, 9, tzinfo=UTC)


@dataclass
class Truth:
    """What the generator knows, for an independent check of a run."""

    edition_id: int
    chair_id: int
    proposal_ids: list[int]
    reviewer_ids: list[int]
    own_max: dict[int, int]  # person → their own most load
    division: dict[int, int]  # person → division index
    speakers: dict[int, set[int]]  # proposal → people
    conflicts: set[tuple[int, int]] = field(default_factory=set)  # (proposal, person)


class _Words:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.taken: set[str] = set()

    def fresh(self, count: int) -> list[str]:
        words: list[str] = []
        while len(words) < count:
            word = "".join(self.rng.choice(SYLLABLES, size=int(self.rng.integers(2, 4))))
            if word not in self.taken:
                self.taken.add(word)
                words.append(word)
        return words

    def text(self, parts: list[tuple[list[str], float]], length: int) -> str:
        shares = np.array([share for _, share in parts])
        counts = self.rng.multinomial(length, shares / shares.sum())
        words: list[str] = []
        for (vocabulary, _), n in zip(parts, counts, strict=True):
            if n:
                words += [vocabulary[i] for i in self.rng.integers(0, len(vocabulary), int(n))]
        self.rng.shuffle(words)
        return " ".join(words)


def _org_chart():
    from practica.people.models import OrgUnit, OrgUnitKind

    divisions, groups, teams = [], [], []
    for d in range(DIVISIONS):
        divisions.append(
            OrgUnit(name=f"Division {d}", slug=f"ab-d{d}", kind=OrgUnitKind.DIVISION,
                    path=f"/ab-d{d}/", depth=0)
        )  # fmt: skip
        for g in range(GROUPS):
            gslug = f"ab-d{d}-g{g}"
            groups.append(
                OrgUnit(name=f"Group {d}.{g}", slug=gslug, kind=OrgUnitKind.GROUP,
                        path=f"/ab-d{d}/{gslug}/", depth=1)
            )  # fmt: skip
            for t in range(TEAMS):
                tslug = f"{gslug}-t{t}"
                teams.append(
                    OrgUnit(name=f"Team {d}.{g}.{t}", slug=tslug, kind=OrgUnitKind.TEAM,
                            path=f"/ab-d{d}/{gslug}/{tslug}/", depth=2)
                )  # fmt: skip
    OrgUnit.objects.bulk_create(divisions)
    for unit in groups:
        unit.parent = divisions[int(unit.slug.split("-")[1][1:])]
    OrgUnit.objects.bulk_create(groups)
    for unit in teams:
        d, g = (int(part[1:]) for part in unit.slug.split("-")[1:3])
        unit.parent = groups[d * GROUPS + g]
    OrgUnit.objects.bulk_create(teams)
    return divisions, groups, teams


def generate(  # noqa: PLR0915 - one scene, written in order
    *, proposals: int, reviewers: int, max_load: int, per_proposal: int, seed: int
) -> Truth:
    from practica.communities.models import Community, Membership, MembershipRole
    from practica.conference.models import (
        Bid,
        BidLevel,
        DeclaredConflict,
        Edition,
        Proposal,
        ProposalSpeaker,
        ProposalState,
        ReviewerVolunteer,
        SessionFormat,
        SpeakerStatus,
    )
    from practica.core.models import Topic
    from practica.discussions.models import Post, Thread, ThreadKind
    from practica.events.models import Event, EventHost
    from practica.people.models import User

    rng = np.random.default_rng(seed)
    words = _Words(rng)
    general = words.fresh(300)

    # Topics.
    areas = [
        Topic(name=name, slug=f"ab-{a}", path=f"/ab-{a}/", depth=0) for a, name in enumerate(AREAS)
    ]
    Topic.objects.bulk_create(areas)
    leaves, leaf_area = [], []
    for a, names in enumerate(AREAS.values()):
        for i, name in enumerate(names):
            slug = f"ab-{a}-{i}"
            leaves.append(
                Topic(name=name, slug=slug, parent=areas[a], path=f"/ab-{a}/{slug}/", depth=1)
            )
            leaf_area.append(a)
    Topic.objects.bulk_create(leaves)
    leaf_area_array = np.array(leaf_area)
    n_leaves = len(leaves)
    area_words = [words.fresh(30) for _ in areas]
    leaf_words = [words.fresh(40) for _ in leaves]
    for i in range(n_leaves):
        for j in rng.choice(n_leaves, size=4):
            leaf_words[i].append(leaf_words[int(j)][int(rng.integers(0, 20))])

    def topic_text(leaf_indices, length):
        parts = [(leaf_words[i], 3.0) for i in leaf_indices]
        parts += [(area_words[leaf_area[i]], 1.0) for i in leaf_indices]
        return words.text([*parts, (general, 2.0)], length)

    # Org chart and people: heads, group leads, team leads, members.
    divisions, groups, teams = _org_chart()
    favoured = [rng.choice(len(areas), size=2, replace=False) for _ in range(DIVISIONS)]
    n_people = reviewers + int(proposals * 0.8) + DIVISIONS + len(groups)
    people_unit = np.empty(n_people, dtype=object)
    people_division = np.zeros(n_people, dtype=np.int64)
    manager = np.full(n_people, -1, dtype=np.int64)
    index = 0
    head_of, lead_of_group, lead_of_team = {}, {}, {}
    for d, unit in enumerate(divisions):
        people_unit[index], people_division[index], head_of[d] = unit, d, index
        index += 1
    for g, unit in enumerate(groups):
        d = g // GROUPS
        people_unit[index], people_division[index] = unit, d
        manager[index], lead_of_group[g] = head_of[d], index
        index += 1
    team_of = rng.integers(0, len(teams), size=n_people - index)
    for offset, t in enumerate(team_of):
        person = index + offset
        d, g = t // (GROUPS * TEAMS), t // TEAMS
        people_unit[person], people_division[person] = teams[t], d
        if t not in lead_of_team:
            lead_of_team[t] = person
            manager[person] = lead_of_group[g]
        else:
            manager[person] = lead_of_team[t]
    interests: list[list[int]] = []
    for person in range(n_people):
        chosen = set()
        for _ in range(int(rng.integers(1, 4))):
            if rng.random() < 0.7:
                area = int(favoured[people_division[person]][int(rng.integers(0, 2))])
                chosen.add(int(rng.choice(np.flatnonzero(leaf_area_array == area))))
            else:
                chosen.add(int(rng.integers(0, n_leaves)))
        interests.append(sorted(chosen))
    users = [
        User(
            email=f"ab{person}@example.com",
            display_name=f"Bench member {person}",
            password=UNUSABLE,
            org_unit=people_unit[person],
            bio=topic_text(interests[person], 40),
            date_joined=START,
        )
        for person in range(n_people)
    ]
    User.objects.bulk_create(users, batch_size=2000)
    for person in np.flatnonzero(manager >= 0):
        users[person].manager_id = users[manager[person]].pk
    User.objects.bulk_update([users[p] for p in np.flatnonzero(manager >= 0)], ["manager"], 2000)
    ids = np.array([user.pk for user in users])
    listed: list[set[int]] = []
    for person in range(n_people):
        shown = set()
        for leaf in interests[person]:
            roll = rng.random()
            if roll < 0.6:
                shown.add(leaves[leaf].pk)
            elif roll < 0.85:
                shown.add(areas[leaf_area[leaf]].pk)
        listed.append(shown)
    User.expertise.through.objects.bulk_create(
        [
            User.expertise.through(user_id=ids[p], topic_id=t)
            for p in range(n_people)
            for t in listed[p]
        ],
        batch_size=5000,
    )

    # The community, its chair, the previous edition and this one.
    community = Community.objects.create(name="Assignment bench", slug="assignment-bench")
    chair = User.objects.create(
        email="ab-chair@example.com", display_name="Chair", password=UNUSABLE
    )
    Membership.objects.create(community=community, person=chair, role=MembershipRole.MANAGER)

    def edition(name: str, starts: date) -> Edition:
        opens = datetime(starts.year, starts.month, 1, tzinfo=UTC) - timedelta(days=120)
        return Edition.objects.create(
            community=community, name=name, slug=name.lower().replace(" ", "-"),
            starts_on=starts, ends_on=starts + timedelta(days=1), cfp_opens_at=opens,
            cfp_closes_at=opens + timedelta(days=30), review_opens_at=opens + timedelta(days=30),
            review_closes_at=opens + timedelta(days=60),
            decisions_due_at=opens + timedelta(days=70),
            reviewers_per_proposal=per_proposal, reviewer_max_load=max_load, is_published=True,
        )  # fmt: skip

    previous = edition("Autumn 2026", date(2026, 10, 20))
    current = edition("Spring 2027", date(2027, 4, 20))
    formats = {
        e.pk: SessionFormat.objects.create(edition=e, kind="talk", name="Talk", minutes=30)
        for e in (previous, current)
    }
    reviewer_people = rng.choice(n_people, size=reviewers, replace=False)
    is_reviewer = np.zeros(n_people, dtype=bool)
    is_reviewer[reviewer_people] = True
    speaker_pool = np.flatnonzero(~is_reviewer)
    division_members = [np.flatnonzero(people_division == d) for d in range(DIVISIONS)]

    def write_proposals(target: Edition, count: int, state: str):
        rows, speakers = [], []
        for _ in range(count):
            submitter = int(
                rng.choice(reviewer_people) if rng.random() < 0.25 else rng.choice(speaker_pool)
            )
            group = [submitter]
            if rng.random() < 0.33:
                same = rng.random() < 0.7
                pool = division_members[people_division[submitter]] if same else np.arange(n_people)
                other = int(rng.choice(pool))
                if other != submitter:
                    group.append(other)
            own = interests[submitter]
            topics = sorted({int(rng.choice(own)) for _ in range(int(rng.integers(1, 3)))})
            rows.append(
                Proposal(
                    edition=target, title=topic_text(topics, 6), abstract=topic_text(topics, 80),
                    format=formats[target.pk], state=state, submitted_at=START,
                    created_by_id=ids[submitter],
                )
            )  # fmt: skip
            speakers.append((group, topics))
        Proposal.objects.bulk_create(rows, batch_size=2000)
        ProposalSpeaker.objects.bulk_create(
            [
                ProposalSpeaker(
                    proposal=row, person_id=ids[person], email=users[person].email,
                    status=SpeakerStatus.ACCEPTED, is_submitter=position == 0, position=position,
                )
                for row, (group, _topics) in zip(rows, speakers, strict=True)
                for position, person in enumerate(group)
            ],
            batch_size=5000,
        )  # fmt: skip
        Proposal.topics.through.objects.bulk_create(
            [
                Proposal.topics.through(proposal_id=row.pk, topic_id=leaves[t].pk)
                for row, (_group, topics) in zip(rows, speakers, strict=True)
                for t in topics
            ],
            batch_size=5000,
        )
        return rows, speakers

    _old_rows, old_speakers = write_proposals(
        previous, max(1, proposals // 5), ProposalState.ACCEPTED
    )
    rows, speakers = write_proposals(current, proposals, ProposalState.SUBMITTED)

    # The pool: volunteers with topics, statements and loads.
    volunteers = [
        ReviewerVolunteer(
            edition=current, person_id=ids[p], statement=topic_text(interests[p], 25),
            max_load=(
                max_load if rng.random() < 0.9 else int(rng.integers(per_proposal, max_load + 1))
            ),
        )
        for p in reviewer_people
    ]  # fmt: skip
    ReviewerVolunteer.objects.bulk_create(volunteers, batch_size=2000)
    ReviewerVolunteer.topics.through.objects.bulk_create(
        [
            ReviewerVolunteer.topics.through(reviewervolunteer_id=v.pk, topic_id=t)
            for v, p in zip(volunteers, reviewer_people, strict=True)
            for t in listed[p]
        ],
        batch_size=5000,
    )

    # What reviewers wrote elsewhere: answers and hosted events.
    threads, answers, events, hosts = [], [], [], []
    for p in reviewer_people:
        for _ in range(int(rng.poisson(1.5))):
            leaf = int(rng.choice(interests[p]))
            thread = Thread(
                community=community, kind=ThreadKind.QUESTION, title=topic_text([leaf], 8),
                author_id=ids[int(rng.choice(speaker_pool))], created_at=START,
                last_activity_at=START,
            )  # fmt: skip
            threads.append(thread)
            answers.append((thread, p, topic_text([leaf], 50)))
        if rng.random() < 0.1:
            event = Event(
                title=topic_text(interests[p], 6), description=topic_text(interests[p], 40),
                community=community, starts_at=START, ends_at=START + timedelta(hours=1),
            )  # fmt: skip
            events.append(event)
            hosts.append((event, p))
    Thread.objects.bulk_create(threads, batch_size=2000)
    Post.objects.bulk_create(
        [
            Post(thread=thread, author_id=ids[p], body=body, created_at=START)
            for thread, p, body in answers
        ],
        batch_size=2000,
    )
    Event.objects.bulk_create(events, batch_size=1000)
    EventHost.objects.bulk_create([EventHost(event=event, person_id=ids[p]) for event, p in hosts])

    # Declared conflicts and bids.
    declared = set()
    for _ in range(max(1, proposals // 10)):
        declared.add((int(rng.integers(0, proposals)), int(rng.choice(reviewer_people))))
    DeclaredConflict.objects.bulk_create(
        [DeclaredConflict(proposal=rows[i], person_id=ids[p], reason="Bench") for i, p in declared]
    )
    by_leaf: dict[int, list[int]] = {}
    for i, (_group, topics) in enumerate(speakers):
        for t in topics:
            by_leaf.setdefault(t, []).append(i)
    levels = [BidLevel.EAGER, BidLevel.WILLING, BidLevel.NOT_WILLING, BidLevel.CONFLICT]
    bids = {}
    for v, p in zip(volunteers, reviewer_people, strict=True):
        for _ in range(int(rng.integers(5, 15))):
            mine = by_leaf.get(int(rng.choice(interests[p])), [])
            i = (
                int(rng.choice(mine))
                if mine and rng.random() < 0.8
                else int(rng.integers(0, proposals))
            )
            bids[(v.pk, i)] = (p, levels[int(rng.choice(4, p=[0.4, 0.35, 0.2, 0.05]))])
    Bid.objects.bulk_create(
        [Bid(reviewer_id=v, proposal=rows[i], level=level) for (v, i), (_p, level) in bids.items()],
        batch_size=5000,
    )

    # The ground truth of conflicts, from the arrays.
    def above(person: int) -> list[int]:
        chain = []
        while manager[person] >= 0:
            person = int(manager[person])
            chain.append(person)
        return chain

    co_speakers: dict[int, set[int]] = {}
    for group, _topics in old_speakers + speakers:
        for a in group:
            co_speakers.setdefault(a, set()).update(b for b in group if b != a)
    truth = Truth(
        edition_id=current.pk,
        chair_id=chair.pk,
        proposal_ids=[row.pk for row in rows],
        reviewer_ids=[int(ids[p]) for p in reviewer_people],
        own_max={int(v.person_id): v.max_load for v in volunteers},
        division={int(ids[p]): int(people_division[p]) for p in range(n_people)},
        speakers={
            row.pk: {int(ids[s]) for s in group}
            for row, (group, _t) in zip(rows, speakers, strict=True)
        },
    )
    reviewer_set = set(reviewer_people.tolist())
    reviewers_in_unit: dict[int, set[int]] = {}
    for r in reviewer_set:
        reviewers_in_unit.setdefault(id(people_unit[r]), set()).add(r)
    proposals_of: dict[int, set[int]] = {}
    for row, (group, _topics) in zip(rows, speakers, strict=True):
        conflicted = set()
        for s in group:
            proposals_of.setdefault(s, set()).add(row.pk)
            conflicted.add(s)
            conflicted.update(reviewers_in_unit.get(id(people_unit[s]), ()))
            conflicted.update(above(s))
            conflicted.update(co_speakers.get(s, ()))
        truth.conflicts.update((row.pk, int(ids[r])) for r in conflicted if r in reviewer_set)
    for r in reviewer_set:
        for boss in above(r):
            truth.conflicts.update((pk, int(ids[r])) for pk in proposals_of.get(boss, ()))
    truth.conflicts.update((rows[i].pk, int(ids[p])) for i, p in declared)
    truth.conflicts.update(
        (rows[i].pk, int(ids[p]))
        for (_v, i), (p, level) in bids.items()
        if level == BidLevel.CONFLICT
    )
    return truth
