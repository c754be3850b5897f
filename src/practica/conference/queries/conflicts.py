"""Conflicts of interest between reviewers and proposals, found from the org chart, the
history of the community's conference and what people declared.

A person conflicts with a proposal when they are (reason codes in brackets):
- one of its speakers, invited or accepted [own];
- in the same org unit as one of its speakers [same_team];
- above one of its speakers in the manager chain, however high [manages], or below one of
  them [managed_by] (User.manager walked up to the top for everyone involved);
- a co-speaker of one of its speakers on a proposal (not a draft, not declined) of this
  edition or of the community's two editions before it [co_speaker];
- named with it in a DeclaredConflict row [declared], or bid "conflict" on it [bid].

Everything is computed for a whole edition at once — per proposal, the set of conflicted
people with their reasons — with a handful of queries (speakers, the people's managers level
by level, the recent editions' speakers, declarations, bids), never per pair.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from practica.conference.models import (
    IN_REVIEW_STATES,
    Bid,
    BidLevel,
    DeclaredConflict,
    Edition,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    ReviewerVolunteer,
    SpeakerStatus,
)
from practica.people.models import OrgUnit, User

PAST_EDITIONS = 2
REASON_CODES = ("own", "same_team", "manages", "managed_by", "co_speaker", "declared", "bid")


@dataclass(frozen=True)
class ConflictReason:
    """Why one person conflicts with one proposal: `code` (see the module docstring), the
    speaker it goes through (if any) and a detail (the edition co-spoken at, the declared
    reason)."""

    code: str
    speaker_id: int | None = None
    detail: str = ""


@dataclass
class EditionConflicts:
    """Per proposal id, per conflicted person id, the reasons (in `REASON_CODES` order)."""

    by_proposal: dict[int, dict[int, list[ConflictReason]]] = field(default_factory=dict)

    def add(self, proposal_id: int, person_id: int, reason: ConflictReason) -> None:
        reasons = self.by_proposal.setdefault(proposal_id, {}).setdefault(person_id, [])
        if reason not in reasons:
            reasons.append(reason)

    def reasons(self, proposal_id: int, person_id: int) -> list[ConflictReason]:
        return self.by_proposal.get(proposal_id, {}).get(person_id, [])

    def pairs(self) -> set[tuple[int, int]]:
        return {(p, person) for p, people in self.by_proposal.items() for person in people}

    def __len__(self) -> int:
        return sum(len(people) for people in self.by_proposal.values())


def _manager_chains(people: set[int]) -> dict[int, tuple[int | None, int | None]]:
    """(org unit, manager) of `people` and of everyone above them: one query per level."""
    known: dict[int, tuple[int | None, int | None]] = {}
    pending = set(people)
    while pending:
        rows = User.objects.filter(pk__in=pending).values_list("pk", "org_unit_id", "manager_id")
        pending = set()
        for pk, unit, manager in rows:
            known[pk] = (unit, manager)
            if manager is not None and manager not in known:
                pending.add(manager)
        pending -= known.keys()
    return known


def _above(person: int, known: dict[int, tuple[int | None, int | None]]) -> list[int]:
    """Everyone above `person` in the manager chain, nearest first (a loop stops the walk)."""
    chain: list[int] = []
    seen = {person}
    manager = known.get(person, (None, None))[1]
    while manager is not None and manager not in seen:
        chain.append(manager)
        seen.add(manager)
        manager = known.get(manager, (None, None))[1]
    return chain


def recent_editions(edition: Edition) -> list[Edition]:
    """This edition and the community's `PAST_EDITIONS` editions that started before it."""
    earlier = list(
        Edition.objects.filter(community_id=edition.community_id, starts_on__lt=edition.starts_on)
        .exclude(pk=edition.pk)
        .order_by("-starts_on")[:PAST_EDITIONS]
    )
    return [edition, *earlier]


def _co_speakers(
    edition: Edition, speakers: set[int], candidates: set[int]
) -> dict[int, list[tuple[int, str]]]:
    """Per speaker, the candidates who co-spoke with them recently, with the edition's name."""
    editions = {e.pk: e.name for e in recent_editions(edition)}
    rows = (
        ProposalSpeaker.objects.filter(
            proposal__edition_id__in=editions,
            person__isnull=False,
            status=SpeakerStatus.ACCEPTED,
        )
        .exclude(proposal__state=ProposalState.DRAFT)
        .values_list("proposal_id", "person_id", "proposal__edition_id")
    )
    by_proposal: dict[int, list[int]] = defaultdict(list)
    edition_of: dict[int, int] = {}
    for proposal_id, person_id, edition_id in rows:
        by_proposal[proposal_id].append(person_id)
        edition_of[proposal_id] = edition_id
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for proposal_id, people in by_proposal.items():
        if len(people) < 2:
            continue
        for speaker in speakers.intersection(people):
            for other in candidates.intersection(people):
                if other != speaker:
                    found[speaker].append((other, editions[edition_of[proposal_id]]))
    return found


def detect_conflicts(
    edition: Edition,
    *,
    person_ids: Iterable[int] | None = None,
    proposal_ids: Iterable[int] | None = None,
) -> EditionConflicts:
    """The conflicts between the edition's proposals in review (or `proposal_ids`) and the
    people `person_ids` (default: the edition's active reviewers)."""
    proposals = Proposal.objects.filter(edition=edition, state__in=IN_REVIEW_STATES)
    if proposal_ids is not None:
        proposals = proposals.filter(pk__in=list(proposal_ids))
    if person_ids is None:
        person_ids = ReviewerVolunteer.objects.filter(edition=edition, is_active=True).values_list(
            "person_id", flat=True
        )
    candidates = set(person_ids)
    conflicts = EditionConflicts()
    if not candidates:
        return conflicts
    proposal_filter = Q(proposal__in=proposals.values("pk"))
    speaker_rows = (
        ProposalSpeaker.objects.filter(proposal_filter, person__isnull=False)
        .exclude(status=SpeakerStatus.DECLINED)
        .values_list("proposal_id", "person_id")
    )
    speakers_of: dict[int, set[int]] = defaultdict(set)
    for proposal_id, person_id in speaker_rows:
        speakers_of[proposal_id].add(person_id)
    speakers = set().union(*speakers_of.values()) if speakers_of else set()

    known = _manager_chains(speakers | candidates)
    in_unit: dict[int, set[int]] = defaultdict(set)
    below: dict[int, set[int]] = defaultdict(set)
    for candidate in candidates:
        unit = known.get(candidate, (None, None))[0]
        if unit is not None:
            in_unit[unit].add(candidate)
        for boss in _above(candidate, known):
            below[boss].add(candidate)
    co_speakers = _co_speakers(edition, speakers, candidates) if speakers else {}

    through_speaker: dict[int, list[tuple[int, ConflictReason]]] = {}
    for speaker in speakers:
        found: list[tuple[int, ConflictReason]] = []
        if speaker in candidates:
            found.append((speaker, ConflictReason("own", speaker)))
        unit = known.get(speaker, (None, None))[0]
        if unit is not None:
            found += [
                (other, ConflictReason("same_team", speaker, str(unit)))
                for other in in_unit.get(unit, ())
                if other != speaker
            ]
        found += [
            (boss, ConflictReason("manages", speaker))
            for boss in _above(speaker, known)
            if boss in candidates
        ]
        found += [
            (report, ConflictReason("managed_by", speaker)) for report in below.get(speaker, ())
        ]
        found += [
            (other, ConflictReason("co_speaker", speaker, name))
            for other, name in co_speakers.get(speaker, ())
        ]
        through_speaker[speaker] = found
    for proposal_id, people in speakers_of.items():
        for speaker in sorted(people):
            for person_id, reason in through_speaker[speaker]:
                conflicts.add(proposal_id, person_id, reason)

    bids = Bid.objects.filter(
        proposal_filter, level=BidLevel.CONFLICT, reviewer__person_id__in=candidates
    )
    bid_pairs = set(bids.values_list("proposal_id", "reviewer__person_id"))
    for proposal_id, person_id in bid_pairs:
        conflicts.add(proposal_id, person_id, ConflictReason("bid"))
    declared = DeclaredConflict.objects.filter(proposal_filter, person_id__in=candidates)
    rows = declared.values_list("proposal_id", "person_id", "declared_by_id", "reason")
    for proposal_id, person_id, declared_by, said in rows:
        if declared_by == person_id and (proposal_id, person_id) in bid_pairs:
            continue  # the reviewer's own declaration that came with their "conflict" bid
        conflicts.add(proposal_id, person_id, ConflictReason("declared", None, said))
    for conflicted in conflicts.by_proposal.values():
        for reasons in conflicted.values():
            if any(reason.code == "own" for reason in reasons):
                # Co-speakers of the same proposal: "own" says it already.
                reasons[:] = [reason for reason in reasons if reason.code != "co_speaker"]
            reasons.sort(key=lambda reason: REASON_CODES.index(reason.code))
    return conflicts


def conflict_pairs(
    edition: Edition, person_ids: Iterable[int] | None = None
) -> set[tuple[int, int]]:
    """(proposal id, person id) of every conflict, for the solver."""
    return detect_conflicts(edition, person_ids=person_ids).pairs()


def pair_conflict_reasons(proposal: Proposal, person_id: int) -> list[ConflictReason]:
    """Why `person_id` may not review `proposal` ([] when nothing stands in the way)."""
    found = detect_conflicts(proposal.edition, person_ids=[person_id], proposal_ids=[proposal.pk])
    return found.reasons(proposal.pk, person_id)


def reason_label(reason: ConflictReason, names: dict[int, str], units: dict[int, str]) -> str:
    """The reason as the chair reads it, naming the speaker it goes through."""
    speaker = names.get(reason.speaker_id or 0, _("a speaker"))
    if reason.code == "own":
        return _("Speaker of this proposal")
    if reason.code == "same_team":
        unit = units.get(int(reason.detail), "") if reason.detail.isdigit() else ""
        return _("Same team as %(speaker)s (%(unit)s)") % {"speaker": speaker, "unit": unit}
    if reason.code == "manages":
        return _("Manages %(speaker)s (directly or higher up)") % {"speaker": speaker}
    if reason.code == "managed_by":
        return _("Reports to %(speaker)s (directly or further down)") % {"speaker": speaker}
    if reason.code == "co_speaker":
        return _("Co-spoke with %(speaker)s at %(edition)s") % {
            "speaker": speaker,
            "edition": reason.detail,
        }
    if reason.code == "declared":
        if reason.detail:
            return _("Declared: %(reason)s") % {"reason": reason.detail}
        return _("Declared")
    return _("Bid “conflict”")


def reason_labels(reasons_by_pair: Iterable[list[ConflictReason]]) -> dict[ConflictReason, str]:
    """Labels for every reason given, naming speakers and units with two queries."""
    reasons = {reason for pair in reasons_by_pair for reason in pair}
    speaker_ids = {reason.speaker_id for reason in reasons if reason.speaker_id}
    unit_ids = {int(r.detail) for r in reasons if r.code == "same_team" and r.detail.isdigit()}
    names = dict(User.objects.filter(pk__in=speaker_ids).values_list("pk", "display_name"))
    units = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    return {reason: reason_label(reason, names, units) for reason in reasons}


@dataclass
class ConflictRow:
    """One conflicted pair for the chair's list, with its reasons in words."""

    proposal_id: int
    proposal_title: str
    person_id: int
    person_name: str
    codes: list[str]
    reasons: list[str]


def conflict_rows(
    edition: Edition,
    *,
    proposal_id: int | None = None,
    person_id: int | None = None,
    code: str = "",
) -> list[ConflictRow]:
    """Every conflict between the edition's proposals in review and its active reviewers,
    by proposal title then person name; narrowed to one proposal, person or reason code."""
    found = detect_conflicts(
        edition,
        person_ids=[person_id] if person_id is not None else None,
        proposal_ids=[proposal_id] if proposal_id is not None else None,
    )
    pairs = [
        (p, person, reasons)
        for p, people in found.by_proposal.items()
        for person, reasons in people.items()
        if not code or any(reason.code == code for reason in reasons)
    ]
    labels = reason_labels(reasons for _p, _person, reasons in pairs)
    titles = dict(
        Proposal.objects.filter(pk__in={p for p, _person, _r in pairs}).values_list("pk", "title")
    )
    names = dict(
        User.objects.filter(pk__in={person for _p, person, _r in pairs}).values_list(
            "pk", "display_name"
        )
    )
    rows = [
        ConflictRow(
            proposal_id=p,
            proposal_title=titles.get(p, ""),
            person_id=person,
            person_name=names.get(person, ""),
            codes=[reason.code for reason in reasons],
            reasons=[labels[reason] for reason in reasons],
        )
        for p, person, reasons in pairs
    ]
    rows.sort(key=lambda row: (row.proposal_title.lower(), row.person_name.lower(), row.person_id))
    return rows
