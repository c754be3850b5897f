"""Proposals to an edition's call: drafts, edits until the deadline, submission, withdrawal;
co-speakers invited by email who accept or decline; speakers confirming an accepted proposal.

Each function is one transaction and locks the proposal row (`select_for_update`) before it
reads the state it changes, so a double click on "Submit" submits once, records PROPOSED once
and mails once (the second call returns the proposal as it is).

Co-speakers must be members: an address no active member has is refused with a message
saying so, rather than kept pending. Accepting means signing in as the invited address (the
link in the mail carries `ProposalSpeaker.token`), and the conflict-of-interest checks and the
activity ledger need a person, which an unknown address does not give.

The deadline is the edition's `cfp_closes_at`; refusals name it on the edition's clock.
Timing and state refusals are `CallRefused` (code not_open, deadline or state).
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.conference.mails.proposals import mail_co_speaker_invitation, mail_proposal_submitted
from practica.conference.models import (
    AudienceLevel,
    Edition,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    SessionFormat,
    SpeakerStatus,
    Track,
)
from practica.conference.models.proposals import new_invitation_token
from practica.conference.permissions import can_propose, is_speaker
from practica.conference.queries.editions import edition_moment
from practica.conference.services.editions import CallRefused
from practica.core.models import Activity, ActivityKind, Topic
from practica.core.queries import topics_with_descendants
from practica.core.services import record_activity, record_audit

MAX_TITLE = 200
MAX_ABSTRACT = 10000
MAX_TOPICS = 5
MAX_LINKS = 5
MAX_LINK_LENGTH = 500
MAX_SPEAKERS = 6
MAX_EXPECTED_AUDIENCE = 100_000
EDITABLE_STATES = (ProposalState.DRAFT, ProposalState.SUBMITTED)
WITHDRAWABLE_STATES = (
    ProposalState.DRAFT,
    ProposalState.SUBMITTED,
    ProposalState.ACCEPTED,
    ProposalState.WAITLISTED,
    ProposalState.CONFIRMED,
)
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "abstract",
        "format",
        "track",
        "topics",
        "audience_level",
        "links",
        "expected_audience",
    }
)
_url = URLValidator(schemes=["http", "https"])


# --- Rules ------------------------------------------------------------------------------------


def check_call_open(edition: Edition, now: datetime | None = None) -> None:
    """Raise `CallRefused` unless the edition takes and edits proposals at `now`."""
    now = now or timezone.now()
    if now < edition.cfp_opens_at:
        raise CallRefused(
            _("The call for %(edition)s opens %(when)s.")
            % {"edition": edition.name, "when": edition_moment(edition, edition.cfp_opens_at)},
            "not_open",
        )
    if now >= edition.cfp_closes_at:
        raise CallRefused(
            _(
                "The deadline for proposals to %(edition)s was %(when)s: proposals can no "
                "longer be changed."
            )
            % {"edition": edition.name, "when": edition_moment(edition, edition.cfp_closes_at)},
            "deadline",
        )


def _allowed_topics(edition: Edition) -> set[int] | None:
    """Ids of the topics proposals may carry (the edition's and below), None for any."""
    chosen = list(edition.topics.all())
    if not chosen:
        return None
    return set(topics_with_descendants(chosen).values_list("pk", flat=True))


def _clean_links(links: Any) -> list[str]:
    cleaned = [str(link).strip() for link in (links or ()) if str(link).strip()]
    if len(cleaned) > MAX_LINKS:
        raise ValidationError({"links": _("Give at most %(max)s links.") % {"max": MAX_LINKS}})
    for link in cleaned:
        try:
            if len(link) > MAX_LINK_LENGTH:
                raise ValidationError("too long")
            _url(link)
        except ValidationError:
            raise ValidationError(
                {"links": _("“%(link)s” is not a full http:// or https:// link.") % {"link": link}}
            ) from None
    return list(dict.fromkeys(cleaned))


def _clean_proposal(edition: Edition, values: dict[str, Any], *, complete: bool) -> dict[str, Any]:
    """Check a proposal's fields as they will be saved; `complete` adds what submitting needs
    (an abstract, a track when the edition has tracks, at least one topic)."""
    errors: dict[str, str] = {}
    title = " ".join(str(values.get("title") or "").split())
    if not title:
        errors["title"] = _("Give the proposal a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("Keep the title under %(max)s characters.") % {"max": MAX_TITLE}
    values["title"] = title
    abstract = str(values.get("abstract") or "").strip()
    if len(abstract) > MAX_ABSTRACT:
        errors["abstract"] = _("Keep the abstract under %(max)s characters.") % {
            "max": MAX_ABSTRACT
        }
    elif complete and not abstract:
        errors["abstract"] = _("Write an abstract: reviewers decide from it.")
    values["abstract"] = abstract
    session_format = values.get("format")
    if not isinstance(session_format, SessionFormat) or session_format.edition_id != edition.pk:
        errors["format"] = _("Choose one of this edition's session formats.")
    elif not session_format.open_for_proposals:
        errors["format"] = _(
            "%(format)s sessions are by invitation only: choose another format."
        ) % {"format": session_format.name}
    track = values.get("track")
    if track is not None and (not isinstance(track, Track) or track.edition_id != edition.pk):
        errors["track"] = _("Choose one of this edition's tracks.")
    elif complete and track is None and edition.tracks.exists():
        errors["track"] = _("Choose the track your session belongs in.")
    topics = list(dict.fromkeys(values.get("topics") or ()))
    allowed = _allowed_topics(edition)
    if len(topics) > MAX_TOPICS:
        errors["topics"] = _("Choose at most %(max)s topics.") % {"max": MAX_TOPICS}
    elif allowed is not None and any(topic.pk not in allowed for topic in topics):
        errors["topics"] = _("Choose among the topics of this edition.")
    elif complete and not topics:
        errors["topics"] = _(
            "Choose at least one topic: it brings your proposal to the right reviewers."
        )
    values["topics"] = topics
    if values.get("audience_level") not in AudienceLevel.values:
        errors["audience_level"] = _("Choose beginner, intermediate or advanced.")
    expected = values.get("expected_audience")
    if expected is not None and (
        not isinstance(expected, int) or not 1 <= expected <= MAX_EXPECTED_AUDIENCE
    ):
        errors["expected_audience"] = _("Give a number of people from 1 to %(max)s.") % {
            "max": MAX_EXPECTED_AUDIENCE
        }
    try:
        values["links"] = _clean_links(values.get("links"))
    except ValidationError as error:
        errors["links"] = error.message_dict["links"][0]
    if errors:
        raise ValidationError(errors)
    return values


def _require_speaker(actor: Any, proposal: Proposal, message: str) -> None:
    if not is_speaker(actor, proposal):
        raise PermissionDenied(message)


def _locked(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("edition", "edition__community", "format", "track")
        .get(pk=proposal.pk)
    )


def _audit(actor: Any, action: str, proposal: Proposal, **data: Any) -> None:
    record_audit(
        actor_id=actor.pk,
        action=f"conference.{action}",
        target=proposal,
        community_id=proposal.edition.community_id,
        data={"edition": proposal.edition_id, **data},
    )


def _record_proposed(proposal: Proposal, person_ids: Iterable[int]) -> None:
    """PROPOSED for each speaker once per proposal (a co-speaker may accept after submission)."""
    person_ids = list(person_ids)
    already = set(
        Activity.objects.filter(
            kind=ActivityKind.PROPOSED,
            subject_id=proposal.pk,
            subject_type__model="proposal",
            subject_type__app_label="conference",
            person_id__in=person_ids,
        ).values_list("person_id", flat=True)
    )
    for person_id in person_ids:
        if person_id not in already:
            record_activity(
                kind=ActivityKind.PROPOSED,
                person_id=person_id,
                community_id=proposal.edition.community_id,
                subject=proposal,
                data={"edition": proposal.edition_id},
            )


# --- Drafts, edits, submission, withdrawal ---------------------------------------------------


def create_proposal(
    *,
    edition: Edition,
    actor: Any,
    title: str,
    format: SessionFormat,
    abstract: str = "",
    track: Track | None = None,
    topics: Iterable[Topic] = (),
    audience_level: str = AudienceLevel.INTERMEDIATE,
    links: Sequence[str] = (),
    expected_audience: int | None = None,
    co_speakers: Sequence[str] = (),
    submit: bool = False,
) -> Proposal:
    """Start a proposal as a draft, the actor its submitting speaker; invite `co_speakers`
    (email addresses of members) at once. With `submit`, submit it in the same transaction
    (if it is not complete, nothing is saved). Any active member, while the call is open."""
    if not can_propose(actor, edition):
        raise PermissionDenied(_("This edition does not take proposals from you."))
    check_call_open(edition)
    values = _clean_proposal(
        edition,
        {
            "title": title,
            "abstract": abstract,
            "format": format,
            "track": track,
            "topics": list(topics),
            "audience_level": audience_level,
            "links": list(links),
            "expected_audience": expected_audience,
        },
        complete=False,
    )
    topic_list = values.pop("topics")
    with transaction.atomic():
        proposal = Proposal.objects.create(
            edition=edition, created_by=actor, state=ProposalState.DRAFT, **values
        )
        proposal.topics.set(topic_list)
        now = timezone.now()
        ProposalSpeaker.objects.create(
            proposal=proposal,
            person=actor,
            email=actor.email,
            status=SpeakerStatus.ACCEPTED,
            is_submitter=True,
            invited_at=now,
            responded_at=now,
        )
        actor.__dict__.get("_speaker_of", {}).pop(proposal.pk, None)
        _audit(actor, "proposal_created", proposal)
        for email in dict.fromkeys(address.strip().lower() for address in co_speakers):
            if not email:
                continue
            try:
                invite_co_speaker(proposal=proposal, actor=actor, email=email)
            except ValidationError as error:
                # The form and the API name the list of addresses, not one `email` field.
                raise ValidationError({"co_speakers": error.messages}) from None
        if submit:
            proposal = submit_proposal(proposal=proposal, actor=actor)
    return proposal


def update_proposal(*, proposal: Proposal, actor: Any, **changes: Any) -> Proposal:
    """Change a draft or submitted proposal (`title`, `abstract`, `format`, `track`, `topics`,
    `audience_level`, `links`, `expected_audience`) until the deadline. Its speakers only.
    A submitted proposal must stay complete. Locks the proposal row."""
    _require_speaker(actor, proposal, _("Only the proposal's speakers can edit it."))
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("These can't be changed: %(names)s") % {"names": sorted(unknown)})
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.state not in EDITABLE_STATES:
            raise CallRefused(
                _("A %(state)s proposal can't be edited.")
                % {"state": proposal.get_state_display().lower()},
                "state",
            )
        check_call_open(proposal.edition)
        values = {name: getattr(proposal, name) for name in EDITABLE_FIELDS if name != "topics"}
        values["topics"] = list(proposal.topics.all())
        values.update(changes)
        values = _clean_proposal(
            proposal.edition, values, complete=proposal.state == ProposalState.SUBMITTED
        )
        topic_list = values.pop("topics")
        for name, value in values.items():
            setattr(proposal, name, value)
        proposal.save()
        if "topics" in changes:
            proposal.topics.set(topic_list)
        _audit(actor, "proposal_updated", proposal, fields=sorted(changes))
    return proposal


def submit_proposal(*, proposal: Proposal, actor: Any) -> Proposal:
    """Submit a draft: it must be complete (an abstract, a format open for proposals, a track
    of this edition if it has tracks, one to five topics) and the call open. Records PROPOSED
    for every accepted speaker and mails them a confirmation.

    Idempotent: submitting a submitted proposal returns it unchanged (`just_submitted` is
    False). Its speakers only. Locks the proposal row.
    """
    _require_speaker(actor, proposal, _("Only the proposal's speakers can submit it."))
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.state == ProposalState.SUBMITTED:
            proposal.just_submitted = False  # type: ignore[attr-defined]
            return proposal
        if proposal.state != ProposalState.DRAFT:
            raise CallRefused(
                _("A %(state)s proposal can't be submitted.")
                % {"state": proposal.get_state_display().lower()},
                "state",
            )
        check_call_open(proposal.edition)
        values = {name: getattr(proposal, name) for name in EDITABLE_FIELDS if name != "topics"}
        values["topics"] = list(proposal.topics.all())
        _clean_proposal(proposal.edition, values, complete=True)
        proposal.state = ProposalState.SUBMITTED
        proposal.submitted_at = timezone.now()
        proposal.save(update_fields=["state", "submitted_at", "updated_at"])
        speakers = list(
            proposal.speakers.filter(
                status=SpeakerStatus.ACCEPTED, person__isnull=False
            ).select_related("person")
        )
        _record_proposed(proposal, [speaker.person.pk for speaker in speakers if speaker.person])
        _audit(actor, "proposal_submitted", proposal)
        mail_proposal_submitted(proposal, speakers)
        proposal.just_submitted = True  # type: ignore[attr-defined]
    return proposal


def withdraw_proposal(*, proposal: Proposal, actor: Any) -> Proposal:
    """Take the proposal out of the call, at any time before it is rejected (after acceptance
    this tells the committee the speakers won't present). Idempotent. Its speakers only."""
    _require_speaker(actor, proposal, _("Only the proposal's speakers can withdraw it."))
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.state == ProposalState.WITHDRAWN:
            return proposal
        if proposal.state not in WITHDRAWABLE_STATES:
            raise CallRefused(
                _("A %(state)s proposal can't be withdrawn.")
                % {"state": proposal.get_state_display().lower()},
                "state",
            )
        previous = proposal.state
        proposal.state = ProposalState.WITHDRAWN
        proposal.withdrawn_at = timezone.now()
        proposal.save(update_fields=["state", "withdrawn_at", "updated_at"])
        _audit(actor, "proposal_withdrawn", proposal, previous=previous)
    return proposal


def confirm_proposal(*, proposal: Proposal, actor: Any, confirm: bool = True) -> Proposal:
    """The speakers' answer to acceptance: confirm they will present (accepted → confirmed)
    or decline (accepted or confirmed → withdrawn). Repeating an answer changes nothing.
    Its speakers only. Locks the proposal row."""
    _require_speaker(actor, proposal, _("Only the proposal's speakers can answer for it."))
    with transaction.atomic():
        proposal = _locked(proposal)
        target = ProposalState.CONFIRMED if confirm else ProposalState.WITHDRAWN
        if proposal.state == target:
            return proposal
        allowed = (
            (ProposalState.ACCEPTED,)
            if confirm
            else (ProposalState.ACCEPTED, ProposalState.CONFIRMED)
        )
        if proposal.state not in allowed:
            raise CallRefused(
                _("Only an accepted proposal can be confirmed or declined; this one is %(state)s.")
                % {"state": proposal.get_state_display().lower()},
                "state",
            )
        now = timezone.now()
        proposal.state = target
        if confirm:
            proposal.confirmed_at = now
        else:
            proposal.withdrawn_at = now
        proposal.save(update_fields=["state", "confirmed_at", "withdrawn_at", "updated_at"])
        _audit(actor, "proposal_confirmed" if confirm else "proposal_declined", proposal)
    return proposal


# --- Co-speakers ------------------------------------------------------------------------------


def _invitee(email: str) -> Any:
    address = str(email or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(
            {"email": _("“%(email)s” is not an email address.") % {"email": address}}
        ) from None
    person = get_user_model().objects.filter(email__iexact=address, is_active=True).first()
    if person is None:
        raise ValidationError(
            {
                "email": _(
                    "No member has the address %(email)s. Co-speakers must be members: ask "
                    "them for the address they sign in with."
                )
                % {"email": address}
            }
        )
    return person


def invite_co_speaker(*, proposal: Proposal, actor: Any, email: str) -> ProposalSpeaker:
    """Invite a member by email to be a speaker; they get a mail with a link to accept.

    Until the deadline, for a draft or submitted proposal; at most six speakers. Inviting
    someone invited or a speaker already returns their row (`was_created` False, no mail);
    someone who declined is invited again with a fresh link. Its speakers only. Locks the
    proposal row.
    """
    _require_speaker(actor, proposal, _("Only the proposal's speakers can invite co-speakers."))
    person = _invitee(email)
    if person.pk == actor.pk:
        raise ValidationError({"email": _("You are a speaker of this proposal already.")})
    with transaction.atomic():
        proposal = _locked(proposal)
        if proposal.state not in EDITABLE_STATES:
            raise CallRefused(
                _("Co-speakers can't be invited to a %(state)s proposal.")
                % {"state": proposal.get_state_display().lower()},
                "state",
            )
        check_call_open(proposal.edition)
        speaker = (
            ProposalSpeaker.objects.select_for_update()
            .filter(Q(person=person) | Q(email__iexact=person.email), proposal=proposal)
            .first()
        )
        if speaker is not None and speaker.status != SpeakerStatus.DECLINED:
            speaker.was_created = False  # type: ignore[attr-defined]
            return speaker
        active = proposal.speakers.exclude(status=SpeakerStatus.DECLINED).count()
        if active >= MAX_SPEAKERS:
            raise ValidationError(
                {"email": _("A proposal has at most %(max)s speakers.") % {"max": MAX_SPEAKERS}}
            )
        now = timezone.now()
        if speaker is None:
            last = proposal.speakers.aggregate(last=Max("position"))["last"] or 0
            speaker = ProposalSpeaker.objects.create(
                proposal=proposal,
                person=person,
                email=person.email,
                status=SpeakerStatus.INVITED,
                invited_at=now,
                position=last + 1,
            )
        else:
            speaker.status = SpeakerStatus.INVITED
            speaker.person = person
            speaker.token = new_invitation_token()
            speaker.invited_at = now
            speaker.responded_at = None
            speaker.save()
        speaker.proposal = proposal
        mail_co_speaker_invitation(speaker, inviter=actor)
        _audit(actor, "co_speaker_invited", proposal, person=person.pk)
        speaker.was_created = True  # type: ignore[attr-defined]
    return speaker


def respond_to_invitation(*, speaker: ProposalSpeaker, actor: Any, accept: bool) -> ProposalSpeaker:
    """The invitee accepts or declines being a speaker, signed in as the invited address.

    An answer can be changed while the proposal is alive (not withdrawn or rejected);
    repeating it changes nothing. Accepting a proposal already submitted records PROPOSED
    for the new speaker. The submitter can't decline (they withdraw instead). Locks the
    proposal row, then the speaker row.
    """
    if not (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and (speaker.person_id == actor.pk or speaker.email.lower() == actor.email.lower())
    ):
        raise PermissionDenied(
            _("This invitation was sent to %(email)s: sign in with that address to answer it.")
            % {"email": speaker.email}
        )
    with transaction.atomic():
        proposal = _locked(speaker.proposal)
        speaker = ProposalSpeaker.objects.select_for_update().get(pk=speaker.pk)
        if speaker.is_submitter:
            raise CallRefused(
                _("You submitted this proposal; withdraw it instead of declining."), "state"
            )
        if proposal.state in (ProposalState.WITHDRAWN, ProposalState.REJECTED):
            raise CallRefused(
                _("This proposal was %(state)s; the invitation no longer stands.")
                % {"state": proposal.get_state_display().lower()},
                "state",
            )
        target = SpeakerStatus.ACCEPTED if accept else SpeakerStatus.DECLINED
        speaker.proposal = proposal
        if speaker.status == target:
            return speaker
        speaker.status = target
        speaker.person = actor
        speaker.responded_at = timezone.now()
        speaker.save(update_fields=["status", "person", "responded_at"])
        if accept and proposal.state != ProposalState.DRAFT:
            _record_proposed(proposal, [actor.pk])
        _audit(
            actor,
            "co_speaker_accepted" if accept else "co_speaker_declined",
            proposal,
            person=actor.pk,
        )
    actor.__dict__.pop("_speaker_of", None)
    return speaker


def remove_co_speaker(*, speaker: ProposalSpeaker, actor: Any) -> None:
    """Take a co-speaker (or an invitation) off a proposal: its speakers until the deadline,
    or the co-speaker themself at any time. The submitter can't be removed. Locks the
    proposal row."""
    proposal = speaker.proposal
    leaving = speaker.person_id is not None and speaker.person_id == getattr(actor, "pk", None)
    if not leaving:
        _require_speaker(actor, proposal, _("Only the proposal's speakers can remove co-speakers."))
    if speaker.is_submitter:
        raise ValidationError(
            _("The submitting speaker can't be removed; withdraw the proposal instead.")
        )
    with transaction.atomic():
        proposal = _locked(proposal)
        if not leaving:
            if proposal.state not in EDITABLE_STATES:
                raise CallRefused(
                    _("Speakers of a %(state)s proposal can't be changed.")
                    % {"state": proposal.get_state_display().lower()},
                    "state",
                )
            check_call_open(proposal.edition)
        _audit(actor, "co_speaker_removed", proposal, email=speaker.email)
        ProposalSpeaker.objects.filter(pk=speaker.pk).delete()
    if speaker.person is not None:
        speaker.person.__dict__.pop("_speaker_of", None)
