"""An edition's reviewers: the pool of volunteers (with expertise and most load), conflicts of
interest, the edition under review's bids, declared conflicts and the chair's pins, and the
assignment by topic match used for finished editions (and for the edition under review when
the solver service is not there).

Conflicts are those `queries.conflicts` detects: the reviewer is a speaker, on a speaker's
team, in a speaker's management chain (either direction), a co-speaker of a speaker in the two
editions before, or declared a conflict (or bid "conflict").
"""

import math
from datetime import timedelta

from practica.conference.models import AssignmentSource, BidLevel
from practica.demo import conference_catalogue as catalogue
from practica.demo.conference_plans import (
    AssignmentPlan,
    EditionPlan,
    ProposalPlan,
    VolunteerPlan,
)
from practica.demo.conference_setup import ConferencePlanner
from practica.demo.people import PersonPlan

AVERAGE_LOAD = 6.5
LOADS = (4, 5, 6, 6, 8, 8, 8, 10, 10)
CURRENT_REVIEWERS = 130
MEMBER_LOAD = 4


def _chain(person: PersonPlan) -> set[int]:
    """Ids of the person's managers up to the division head."""
    ids, manager = set(), person.manager_plan
    while manager is not None and id(manager) not in ids:
        ids.add(id(manager))
        manager = manager.manager_plan
    return ids


class Conflicts:
    """Who may not review what in one edition."""

    def __init__(self, history: list[dict[int, set[int]]]) -> None:
        # id(person) → ids of their co-speakers in this edition and the two before
        self.history: dict[int, set[int]] = {}
        for editions_co_speakers in history:
            for key, ids in editions_co_speakers.items():
                self.history.setdefault(key, set()).update(ids)
        self.declared: set[tuple[int, int]] = set()  # (id(person), id(proposal))
        self._chains: dict[int, set[int]] = {}
        self._proposals: dict[int, tuple[set[int], set[int], set[int]]] = {}

    def chain(self, person: PersonPlan) -> set[int]:
        found = self._chains.get(id(person))
        if found is None:
            found = self._chains[id(person)] = _chain(person)
        return found

    def _about(self, proposal: ProposalPlan) -> tuple[set[int], set[int], set[int]]:
        cached = self._proposals.get(id(proposal))
        if cached is None:
            speakers = [s.person for s in proposal.speakers]
            ids = {id(p) for p in speakers}
            teams = {id(p.team) for p in speakers if p.team is not None}
            near = set()
            for person in speakers:
                near |= self.chain(person)
                near |= self.history.get(id(person), set())
            cached = self._proposals[id(proposal)] = (ids, teams, near)
        return cached

    def between(self, person: PersonPlan, proposal: ProposalPlan) -> bool:
        ids, teams, near = self._about(proposal)
        key = id(person)
        return (
            key in ids
            or key in near
            or (person.team is not None and id(person.team) in teams)
            or not ids.isdisjoint(self.chain(person))
            or (key, id(proposal)) in self.declared
        )


def co_speakers(edition: EditionPlan) -> dict[int, set[int]]:
    """id(person) → ids of those they shared a proposal with in the edition (not a draft,
    not a speaker who declined)."""
    found: dict[int, set[int]] = {}
    for proposal in edition.proposals:
        if proposal.submitted_at is None or len(proposal.speakers) < 2:
            continue
        ids = {id(s.person) for s in proposal.speakers if s.status != "declined"}
        for key in ids:
            found.setdefault(key, set()).update(ids - {key})
    return found


class TopicMatch:
    """How well a reviewer's expertise fits a proposal's topics: 1 per topic they list, ½ when
    they list its parent or a topic below it, ⅕ when only the area (root) is theirs; the mean
    over the proposal's topics. Each reviewer's fit per topic is worked out once."""

    def __init__(self, planner: ConferencePlanner) -> None:
        self.lineage = planner.lineage
        self._fits: dict[int, dict[str, float]] = {}

    def _table(self, reviewer: VolunteerPlan) -> dict[str, float]:
        own = set(reviewer.topics)
        above = {a for t in own for a in self.lineage[t][1:]}
        roots = {self.lineage[t][-1] for t in own}
        table = {}
        for topic, lineage in self.lineage.items():
            if topic in own:
                table[topic] = 1.0
            elif topic in above or not own.isdisjoint(lineage[1:]):
                table[topic] = 0.5
            elif lineage[-1] in roots:
                table[topic] = 0.2
        return table

    def score(self, reviewer: VolunteerPlan, topics: list[str]) -> float:
        table = self._fits.get(id(reviewer))
        if table is None:
            table = self._fits[id(reviewer)] = self._table(reviewer)
        if not topics:
            return 0.0
        return sum(table.get(topic, 0.0) for topic in topics) / len(topics)


def _in_review(edition: EditionPlan) -> list[ProposalPlan]:
    return [p for p in edition.proposals if p.submitted_at is not None and p.state != "withdrawn"]


def plan_pool(planner: ConferencePlanner, edition: EditionPlan) -> None:
    """Volunteers drawn by the proposals' topics (someone who works on a proposal's first
    topic, else any experienced member), enough for k=3 reviews of every proposal; committee
    members often review too. The edition under review has ~130 and the member login."""
    rng = planner.rng
    proposals = _in_review(edition)
    if not proposals:
        return
    needed = 3 * len(proposals)
    if edition.is_current:
        count = planner.sized(CURRENT_REVIEWERS, least=8)
    else:
        count = max(6, math.ceil(1.15 * needed / AVERAGE_LOAD))
    opens, closes = edition.cfp_opens_at, edition.review_opens_at - timedelta(hours=6)
    chosen: dict[int, VolunteerPlan] = {}

    def add(person: PersonPlan, topics: list[str], load: int | None = None) -> None:
        at = opens + (closes - opens) * rng.random()
        team = person.team.unit.name if person.team is not None else "platform"
        mine = [t for t in dict.fromkeys(topics) if t in planner.paths][:5] or ["machine-learning"]
        chosen[id(person)] = VolunteerPlan(
            person=person,
            topics=mine,
            max_load=min(load or rng.choice(LOADS), edition.max_load),
            statement=planner.writer.statement(year=edition.year, topics=mine, team=team),
            volunteered_at=at,
            bias=rng.gauss(0, 0.3),
        )

    if edition.is_current and planner.member is not None:
        add(planner.member, planner.member.topics, MEMBER_LOAD)
    for seat in edition.committee:
        if rng.random() < 0.5 and seat.person.topics:
            add(seat.person, seat.person.topics)
    experienced = lambda p: (p.user.career_level or 0) >= 3  # noqa: E731
    tries = count * 6
    while len(chosen) < count and tries:
        tries -= 1
        proposal = proposals[rng.randrange(len(proposals))]
        topic = proposal.topics[0]
        pool = planner.topic_pools.get(topic) if rng.random() < 0.75 else None
        taken = set(chosen)
        found = pool.draw(rng, closes, 1, taken, experienced) if pool is not None else []
        if not found:
            found = planner.pool.draw(rng, closes, 1, taken, experienced)
        if found:
            person = found[0]
            add(person, person.topics or [topic])
    edition.reviewers = sorted(chosen.values(), key=lambda v: v.volunteered_at)
    capacity = sum(v.max_load for v in edition.reviewers)
    for volunteer in edition.reviewers:  # a small pool stretches to cover every proposal
        if capacity >= 1.1 * needed:
            break
        if volunteer.person is not planner.member and volunteer.max_load < edition.max_load:
            capacity += edition.max_load - volunteer.max_load
            volunteer.max_load = edition.max_load


def plan_bids_and_conflicts(
    planner: ConferencePlanner, edition: EditionPlan, conflicts: Conflicts
) -> None:
    """The edition under review: two in five reviewers bid on proposals in their topics
    (eager, willing, not willing, now and then "conflict"); a few declare a conflict; the
    chair pins the member login to two proposals in their field."""
    rng, match = planner.rng, TopicMatch(planner)
    proposals = _in_review(edition)
    start, end = edition.cfp_closes_at, edition.review_opens_at - timedelta(hours=2)
    levels = [BidLevel.EAGER, BidLevel.WILLING, BidLevel.NOT_WILLING, BidLevel.CONFLICT]
    for volunteer in edition.reviewers:
        if rng.random() > 0.4 and volunteer.person is not planner.member:
            continue
        fitting = [p for p in proposals if match.score(volunteer, p.topics) >= 0.5]
        rng.shuffle(fitting)
        for proposal in fitting[: rng.randint(4, 16)]:
            if any(s.person is volunteer.person for s in proposal.speakers):
                continue
            level = rng.choices(levels, (35, 45, 16, 4))[0]
            if conflicts.between(volunteer.person, proposal):
                level = BidLevel.CONFLICT
            if level == BidLevel.CONFLICT:
                conflicts.declared.add((id(volunteer.person), id(proposal)))
            edition.bids.append((volunteer, proposal, level, start + (end - start) * rng.random()))
    declaring = min(len(edition.reviewers), max(1, len(edition.reviewers) // 30))
    for volunteer in rng.sample(edition.reviewers, declaring):
        fitting = [
            p
            for p in proposals
            if match.score(volunteer, p.topics) > 0 and not conflicts.between(volunteer.person, p)
        ]
        if not fitting or volunteer.person is planner.member:
            continue
        proposal = rng.choice(fitting)
        conflicts.declared.add((id(volunteer.person), id(proposal)))
        reason = rng.choice(catalogue.DECLARED_CONFLICT_REASONS)
        when = start + (end - start) * rng.random()
        edition.declared.append((volunteer.person, proposal, reason, volunteer.person, when))
    _pin_the_member(planner, edition, conflicts, match)


def _pin_the_member(
    planner: ConferencePlanner, edition: EditionPlan, conflicts: Conflicts, match: TopicMatch
) -> None:
    member, chair = planner.member, edition.chair
    volunteer = next((v for v in edition.reviewers if v.person is member), None)
    if volunteer is None or member is None or chair is None:
        return
    fitting = sorted(
        (p for p in _in_review(edition) if not conflicts.between(member, p)),
        key=lambda p: -match.score(volunteer, p.topics),
    )
    when = edition.review_opens_at - timedelta(hours=5)
    for proposal in fitting[:2]:
        edition.pins.append((proposal, member, chair, when))


BID_BONUS: dict[str, float] = {
    BidLevel.EAGER: 0.6,
    BidLevel.WILLING: 0.3,
    BidLevel.NOT_WILLING: -0.8,
}


class TopicAssigner:
    """The edition's fit table (proposal × reviewer: topic match), its bids as bonuses, and
    the reviewers' loads as they fill."""

    def __init__(self, planner: ConferencePlanner, edition: EditionPlan) -> None:
        self.planner, self.rng = planner, planner.rng
        self.match = TopicMatch(planner)
        self.reviewers = [v for v in edition.reviewers if v.is_active]
        index = {id(v): n for n, v in enumerate(self.reviewers)}
        self.bids: dict[int, dict[int, float]] = {}
        for volunteer, proposal, level, _at in edition.bids:
            if id(volunteer) in index and level in BID_BONUS:
                self.bids.setdefault(id(proposal), {})[index[id(volunteer)]] = BID_BONUS[level]
        self._columns: dict[str, list[float]] = {}  # topic → each reviewer's fit
        self.jitter = [self.rng.random() * 0.05 for _ in self.reviewers]

    def fits(self, proposal: ProposalPlan) -> list[float]:
        columns = []
        for topic in proposal.topics:
            column = self._columns.get(topic)
            if column is None:
                column = [self.match.score(v, [topic]) for v in self.reviewers]
                self._columns[topic] = column
            columns.append(column)
        if len(columns) == 1:
            return columns[0]
        return [sum(values) / len(columns) for values in zip(*columns, strict=True)]

    def choose(self, proposal: ProposalPlan, fits: list[float], conflicts: Conflicts) -> list[int]:
        """Indexes of the reviewers to add: the best ranked without a conflict, the last one
        swapped for the best outsider when none of them is from another division."""
        division = self.planner.division
        reviewers, bids = self.reviewers, self.bids.get(id(proposal), {})
        have = {id(a.reviewer) for a in proposal.assignments}
        home = {division(s.person) for s in proposal.speakers}
        rank = [
            fits[n] + bids.get(n, 0.0) - 0.15 * v.load / v.max_load + self.jitter[n]
            if v.load < v.max_load and id(v) not in have
            else -9.0
            for n, v in enumerate(reviewers)
        ]
        wanted = max(0, 3 - len(proposal.assignments))
        has_outsider = any(division(a.reviewer.person) not in home for a in proposal.assignments)
        picked: list[int] = []
        spare = None  # conflicts are checked lazily, best first
        for n in sorted(range(len(reviewers)), key=rank.__getitem__, reverse=True):
            if rank[n] <= -9.0 or (len(picked) == wanted and (spare is not None or has_outsider)):
                break
            if conflicts.between(reviewers[n].person, proposal):
                continue
            if len(picked) < wanted:
                picked.append(n)
            elif spare is None and division(reviewers[n].person) not in home:
                spare = n
        outsiders = has_outsider or any(division(reviewers[n].person) not in home for n in picked)
        if picked and not outsiders and spare is not None:
            picked[-1] = spare
        return picked


def assign_by_topics(
    planner: ConferencePlanner, edition: EditionPlan, conflicts: Conflicts
) -> None:
    """k=3 reviewers per proposal, greedily: the hardest proposals to cover first, each taking
    the best-matching reviewers with room (topic match and bid, less a little for the load
    they carry), at least one from another division than all its speakers when there is one.
    The chair's pins come first."""
    rng = planner.rng
    assigner = TopicAssigner(planner, edition)
    by_person = {id(v.person): v for v in assigner.reviewers}
    assigned_at = edition.review_opens_at - timedelta(hours=rng.uniform(2, 20))
    source = AssignmentSource.MANUAL
    for proposal, person, _chair, _when in edition.pins:
        volunteer = by_person[id(person)]
        fit = round(assigner.match.score(volunteer, proposal.topics), 3)
        detail = {"topics": fit, "pinned": True}
        proposal.assignments.append(AssignmentPlan(volunteer, fit, detail, assigned_at, source))
        volunteer.load += 1
    proposals = _in_review(edition)
    fit_of = {id(p): assigner.fits(p) for p in proposals}
    order = sorted(proposals, key=lambda p: (sum(f >= 0.5 for f in fit_of[id(p)]), rng.random()))
    for proposal in order:
        fits = fit_of[id(proposal)]
        bids = assigner.bids.get(id(proposal), {})
        for n in assigner.choose(proposal, fits, conflicts):
            volunteer, fit, bid = assigner.reviewers[n], fits[n], bids.get(n, 0.0)
            detail = {"topics": round(fit, 3), "bid": bid}
            proposal.assignments.append(
                AssignmentPlan(volunteer, round(fit + bid, 3), detail, assigned_at, source)
            )
            volunteer.load += 1
