"""Reviews and the committee's discussion of proposals.

A proposal has a quality the reviewers see through their own leniency and some noise: each
criterion scores 3 + quality + leniency + noise, rounded into 1–5, so reviews of a proposal
mostly agree and the decisions (best mean weighted score first) follow them. The
recommendation follows the weighted score; confidence the reviewer's topic match.

Finished editions: nearly every review submitted before the deadline (a few left as drafts or
never started). The edition under review: about a third submitted since reviewing opened,
some drafts, the rest not started; the member login has one draft and the rest to do.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from practica.conference.models import Recommendation, ReviewStatus
from practica.demo import conference_catalogue as catalogue
from practica.demo.conference_plans import (
    AssignmentPlan,
    EditionPlan,
    ProposalPlan,
    ReviewPlan,
)
from practica.demo.conference_pool import TopicMatch
from practica.demo.conference_setup import ConferencePlanner

CURRENT_SUBMITTED = 0.34
CURRENT_DRAFTS = 0.12


def _recommendation(score: float) -> int:
    if score >= 4.3:
        return Recommendation.STRONG_ACCEPT
    if score >= 3.6:
        return Recommendation.ACCEPT
    if score >= 2.9:
        return Recommendation.NEUTRAL
    if score >= 2.1:
        return Recommendation.REJECT
    return Recommendation.STRONG_REJECT


def _scores(planner: ConferencePlanner, proposal: ProposalPlan, bias: float, count: int):
    rng = planner.rng
    return [
        min(5, max(1, round(3 + 0.95 * proposal.quality + bias + rng.gauss(0, 0.55))))
        for _ in range(count)
    ]


def weighted(scores: list[int], weights: list[Decimal]) -> float:
    """As `services.reviews.weighted_score`: Σ weight × score / Σ weight."""
    total = sum(weights, Decimal(0))
    return float(sum((w * s for w, s in zip(weights, scores, strict=True)), Decimal(0)) / total)


def write_review(
    planner: ConferencePlanner,
    edition: EditionPlan,
    proposal: ProposalPlan,
    assignment: AssignmentPlan,
    *,
    started: datetime,
    submitted: datetime | None,
    fit: float,
) -> ReviewPlan:
    """A submitted review (`submitted` set) or a draft with some of its scores."""
    rng = planner.rng
    weights = [c.weight for c in edition.criteria]
    scores = _scores(planner, proposal, assignment.reviewer.bias, len(weights))
    score = weighted(scores, weights)
    confidence = min(5, max(1, round(2 + 2.2 * fit + rng.gauss(0, 0.6))))
    to_speakers, to_committee = planner.writer.review_comments(score, topics=proposal.topics)
    if submitted is None:
        kept = rng.randint(0, len(scores) - 1)
        return ReviewPlan(
            status=ReviewStatus.DRAFT,
            scores=scores[:kept],
            recommendation=None,
            confidence=None,
            weighted_score=None,
            to_speakers=to_speakers if rng.random() < 0.5 else "",
            to_committee="",
            created_at=started,
            updated_at=started + timedelta(minutes=rng.uniform(2, 40)),
            submitted_at=None,
        )
    return ReviewPlan(
        status=ReviewStatus.SUBMITTED,
        scores=scores,
        recommendation=_recommendation(score + rng.gauss(0, 0.25)),
        confidence=confidence,
        weighted_score=score,
        to_speakers=to_speakers,
        to_committee=to_committee,
        created_at=started,
        updated_at=submitted,
        submitted_at=submitted,
    )


def plan_reviews(planner: ConferencePlanner, edition: EditionPlan) -> None:
    """The reviews of a finished edition (nearly all submitted, many near the deadline) or of
    the edition under review (a third submitted so far, some drafts)."""
    rng = planner.rng
    start = edition.review_opens_at
    end = min(edition.review_closes_at, planner.now - timedelta(hours=1))
    member, match = planner.member, TopicMatch(planner)
    for proposal in edition.proposals:
        for assignment in proposal.assignments:
            fit = match.score(assignment.reviewer, proposal.topics)
            begin = max(start, assignment.assigned_at)
            roll = rng.random()
            if edition.is_current:
                if assignment.reviewer.person is member:
                    continue  # left for the visitor (see _member_draft)
                submitted_share, draft_share = CURRENT_SUBMITTED, CURRENT_DRAFTS
            else:
                submitted_share, draft_share = 0.95, 0.02
            if roll < submitted_share:
                moment = begin + (end - begin) * rng.random() ** 0.6
                started = moment - timedelta(minutes=rng.uniform(15, 3 * 24 * 60))
                submitted = max(moment, begin + timedelta(minutes=20))
                assignment.review = write_review(
                    planner, edition, proposal, assignment,
                    started=max(begin, started), submitted=submitted, fit=fit,
                )  # fmt: skip
            elif roll < submitted_share + draft_share:
                started = begin + (end - begin) * rng.random()
                assignment.review = write_review(
                    planner, edition, proposal, assignment, started=started, submitted=None,
                    fit=fit,
                )  # fmt: skip
    if edition.is_current and member is not None:
        _member_draft(planner, edition)


def _member_draft(planner: ConferencePlanner, edition: EditionPlan) -> None:
    """The member login started one review yesterday; the others wait for the visitor."""
    mine = [
        (proposal, assignment)
        for proposal in edition.proposals
        for assignment in proposal.assignments
        if assignment.reviewer.person is planner.member
    ]
    if not mine:
        return
    proposal, assignment = mine[0]
    started = planner.now - timedelta(days=1, hours=3)
    assignment.review = write_review(
        planner, edition, proposal, assignment, started=started, submitted=None, fit=0.5
    )


def plan_discussion(planner: ConferencePlanner, edition: EditionPlan, until: datetime) -> None:
    """Reviewers and committee members talk over the proposals their reviews disagree on."""
    rng = planner.rng
    committee = [seat.person for seat in edition.committee]
    for proposal in edition.proposals:
        submitted = [a for a in proposal.assignments if a.review and a.review.submitted_at]
        if len(submitted) < 2:
            continue
        scores = [a.review.weighted_score or 0 for a in submitted if a.review]
        if max(scores) - min(scores) < 1.2 and rng.random() > 0.04:
            continue
        first = max(a.review.submitted_at for a in submitted if a.review and a.review.submitted_at)
        speakers = {id(s.person) for s in proposal.speakers}
        voices = [a.reviewer.person for a in submitted] + [
            p for p in committee if id(p) not in speakers
        ][:2]
        moment = first
        for _ in range(rng.randint(1, 4)):
            moment = moment + timedelta(hours=rng.uniform(1, 30))
            if moment >= until:
                break
            author = rng.choice(voices)
            proposal.comments.append((author, rng.choice(catalogue.DISCUSSION), moment))
