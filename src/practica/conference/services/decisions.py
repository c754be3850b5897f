"""The chair's decisions on proposals and the mails that tell the speakers.

When: the chair decides whenever they choose once the call has closed (before that the
speakers may still change their proposal). Usually that is after the review deadline, but a
clear case can be settled early; the dashboard marks proposals whose reviews are incomplete.
A decision can be changed or taken back (`undecide`) until its mail has gone out; after that
it stands (the speakers have been told), and a confirmed proposal is never changed here.

The mails: each edition has one `DecisionTemplate` per outcome, created with default texts by
`ensure_decision_templates` (lazily here; the editions service may call it when it creates an
edition). The chair's text is rendered with Django's template language by a sandboxed engine
(no loaders, so no `{% include %}`), autoescape off, and sees plain values only, never a
model: `{{ speaker }}` (their name), `{{ proposal }}` (its title; `.title`, `.format`,
`.track`, `.url`), `{{ edition }}` (its name; `.name`, `.starts_on`, `.ends_on`) and
`{{ outcome }}`. Below the chair's text every mail adds the reviewers' comments to the
speakers, without names, and the proposal page's link — for an accepted proposal, asking the
speakers to confirm there (the confirmation itself is the proposals service's).

`send_decision_mails` queues one mail per accepted speaker of every decided, not yet mailed
proposal through the outbox, marking `decision_mailed_at`; idempotency keys
`proposal-{id}-decision-{outcome}-to-{speaker row id}` make a retry harmless.

Locks: deciding locks the proposal row; sending locks each proposal row in its own
transaction (re-checking it is still unmailed), so two chairs pressing "send" at once never
mail a speaker twice, and a failure part-way leaves the sent ones marked.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.conference.models import (
    DecisionOutcome,
    DecisionTemplate,
    Edition,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    Review,
    ReviewStatus,
    SpeakerStatus,
)
from practica.conference.permissions import can_decide
from practica.conference.queries.editions import edition_zone
from practica.conference.services.reviews import moment_text
from practica.core.services import record_audit

MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 10000
# What a decision does to the proposal's state (an outcome is also a state).
OUTCOME_STATES = {
    DecisionOutcome.ACCEPTED: ProposalState.ACCEPTED,
    DecisionOutcome.REJECTED: ProposalState.REJECTED,
    DecisionOutcome.WAITLISTED: ProposalState.WAITLISTED,
}
# Decided proposals whose mail may still be sent (a confirmed one was accepted and told).
MAILABLE_STATES = (ProposalState.ACCEPTED, ProposalState.REJECTED, ProposalState.WAITLISTED)

# The chair's templates: no loaders (no {% include %} of files), no extra libraries.
_ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], autoescape=False)


class DecisionRefused(ValidationError):  # noqa: N818 — a refusal, not a fault
    """The decision step is not possible now; `.code`: call_open, state, mailed, confirmed."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)


def _default_texts() -> dict[str, tuple[str, str]]:
    """Subject and body per outcome, in the active language."""
    return {
        DecisionOutcome.ACCEPTED: (
            _("Accepted: {{ proposal }}"),
            _(
                "Dear {{ speaker }},\n\n"
                "we are happy to tell you that the program committee accepted your proposal "
                "“{{ proposal }}” for {{ edition }}.\n\n"
                "Please confirm on the proposal page that you will present it, so we can "
                "place it in the program.\n\n"
                "Thank you for proposing, and see you at {{ edition }}!\n"
                "The program committee"
            ),
        ),
        DecisionOutcome.REJECTED: (
            _("Your proposal to {{ edition }}"),
            _(
                "Dear {{ speaker }},\n\n"
                "thank you for proposing “{{ proposal }}” for {{ edition }}. We received many "
                "more proposals than the program has room for, and this time we could not "
                "accept yours.\n\n"
                "The reviewers' comments below may help with a next proposal; we hope to read "
                "it at a coming edition.\n\n"
                "The program committee"
            ),
        ),
        DecisionOutcome.WAITLISTED: (
            _("On the waiting list: {{ proposal }}"),
            _(
                "Dear {{ speaker }},\n\n"
                "thank you for proposing “{{ proposal }}” for {{ edition }}. The committee "
                "liked it, but the program is full: your proposal is on the waiting list, and "
                "we will write to you if a place opens.\n\n"
                "The program committee"
            ),
        ),
    }


def ensure_decision_templates(edition: Edition) -> dict[str, DecisionTemplate]:
    """The edition's decision mail per outcome, creating the missing ones with the default
    texts (in the active language). Safe to call any time, from any stage, concurrently."""
    existing = {row.outcome: row for row in DecisionTemplate.objects.filter(edition=edition)}
    if len(existing) < len(DecisionOutcome.values):
        defaults = _default_texts()
        for outcome in DecisionOutcome.values:
            if outcome in existing:
                continue
            subject, body = defaults[outcome]
            try:
                with transaction.atomic():
                    existing[outcome] = DecisionTemplate.objects.create(
                        edition=edition, outcome=outcome, subject=subject, body=body
                    )
            except IntegrityError:  # made by a concurrent caller
                existing[outcome] = DecisionTemplate.objects.get(edition=edition, outcome=outcome)
    return existing


def _check_chair(actor: Any, edition: Edition) -> None:
    if not can_decide(actor, edition):
        raise PermissionDenied(_("Only the edition's chair decides on proposals."))


def decide(
    *, proposal: Proposal, outcome: str, actor: Any, now: datetime | None = None
) -> Proposal:
    """Accept, reject or waitlist a proposal (chair only), once the call has closed.

    Deciding the same outcome again changes nothing; another outcome replaces the decision
    until its mail was sent. Sets `decided_at`/`decided_by`; an audit row records the change.
    Locks the proposal row.
    """
    now = now or timezone.now()
    edition = proposal.edition
    _check_chair(actor, edition)
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": _("Choose accept, reject or waitlist.")})
    if edition.call_is_open(now) or now < edition.cfp_opens_at:
        raise DecisionRefused(
            _(
                "The call is open until %(when)s and the speakers may still change their "
                "proposal: decide after it closes."
            )
            % {"when": moment_text(edition.cfp_closes_at, edition_zone(edition))},
            code="call_open",
        )
    with transaction.atomic():
        current = Proposal.objects.select_for_update().get(pk=proposal.pk)
        new_state = OUTCOME_STATES[DecisionOutcome(outcome)]
        if current.state == new_state:
            return current
        _check_changeable(current)
        previous = current.state
        current.state = new_state
        current.decided_at = now
        current.decided_by = actor
        current.save(update_fields=["state", "decided_at", "decided_by", "updated_at"])
        record_audit(
            actor_id=actor.pk,
            action="conference.proposal_decided",
            target=current,
            community_id=edition.community_id,
            data={"edition": edition.pk, "outcome": outcome, "previous": previous},
        )
    current.edition = edition
    return current


def _check_changeable(proposal: Proposal) -> None:
    if proposal.state == ProposalState.CONFIRMED:
        raise DecisionRefused(
            _("The speakers have confirmed this accepted proposal: the decision stands."),
            code="confirmed",
        )
    if proposal.state not in (ProposalState.SUBMITTED, *MAILABLE_STATES):
        raise DecisionRefused(
            _("Only submitted proposals are decided; this one is %(state)s.")
            % {"state": ProposalState(proposal.state).label.lower()},
            code="state",
        )
    if proposal.decision_mailed_at is not None:
        raise DecisionRefused(
            _(
                "The decision mail has gone to the speakers already: the decision stands. "
                "Write to them directly if it must change."
            ),
            code="mailed",
        )


def undecide(*, proposal: Proposal, actor: Any) -> Proposal:
    """Take a decision back (chair only) before its mail was sent: the proposal is submitted
    again, undecided. Nothing happens if it was not decided. Locks the proposal row."""
    edition = proposal.edition
    _check_chair(actor, edition)
    with transaction.atomic():
        current = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if current.state == ProposalState.SUBMITTED:
            return current
        _check_changeable(current)
        previous = current.state
        current.state = ProposalState.SUBMITTED
        current.decided_at = None
        current.decided_by = None
        current.save(update_fields=["state", "decided_at", "decided_by", "updated_at"])
        record_audit(
            actor_id=actor.pk,
            action="conference.proposal_undecided",
            target=current,
            community_id=edition.community_id,
            data={"edition": edition.pk, "previous": previous},
        )
    current.edition = edition
    return current


def update_decision_template(
    *, edition: Edition, outcome: str, subject: Any, body: Any, actor: Any
) -> DecisionTemplate:
    """Change the mail of one outcome (chair only). The text must render (a syntax error is
    a ValidationError naming the field); an audit row records the change."""
    _check_chair(actor, edition)
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": _("Choose accept, reject or waitlist.")})
    errors: dict[str, str] = {}
    texts = {}
    for name, value, limit in (
        ("subject", subject, MAX_SUBJECT_LENGTH),
        ("body", body, MAX_BODY_LENGTH),
    ):
        text = "" if value is None else str(value).strip()
        if not text:
            errors[name] = _("This cannot be empty.")
        elif len(text) > limit:
            errors[name] = _("Keep it under %(n)s characters.") % {"n": limit}
        elif "\x00" in text:
            errors[name] = _("The text contains a NUL character.")
        else:
            problem = template_problem(text)
            if problem:
                errors[name] = problem
        texts[name] = text
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        template = ensure_decision_templates(edition)[outcome]
        template.subject = " ".join(texts["subject"].split())
        template.body = texts["body"]
        template.save(update_fields=["subject", "body"])
        record_audit(
            actor_id=actor.pk,
            action="conference.decision_template_changed",
            target=template,
            community_id=edition.community_id,
            data={"edition": edition.pk, "outcome": outcome},
        )
    return template


# --- Rendering --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalText:
    title: str
    format: str
    track: str
    url: str

    def __str__(self) -> str:
        return self.title


@dataclass(frozen=True)
class EditionText:
    name: str
    starts_on: date
    ends_on: date

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class DecisionMail:
    """One rendered decision mail: the chair's subject and text, and what the mail adds."""

    outcome: str
    subject: str
    body: str
    speaker_name: str
    proposal_url: str
    comments: list[str] = field(default_factory=list)


def template_problem(text: str) -> str:
    """Why the chair's text does not render, or ""."""
    try:
        _ENGINE.from_string(text).render(Context(_sample_context(), autoescape=False))
    except TemplateSyntaxError as error:
        return _("The text does not render: %(error)s") % {"error": error}
    except Exception:  # any other failure of a chair-written template is bad input too
        return _("The text does not render; check the {{ }} and {% %} parts.")
    return ""


def _sample_context() -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "speaker": _("Speaker name"),
        "proposal": ProposalText(title=_("Proposal title"), format="", track="", url=""),
        "edition": EditionText(name=_("Edition"), starts_on=today, ends_on=today),
        "outcome": DecisionOutcome.ACCEPTED.label,
    }


def _render(text: str, context: dict[str, Any]) -> str:
    try:
        return _ENGINE.from_string(text).render(Context(context, autoescape=False))
    except Exception:  # a stored template that stopped rendering: send it as written
        return text


def comments_to_speakers(proposal: Proposal) -> list[str]:
    """The submitted reviews' non-empty comments to the speakers, oldest first, nameless."""
    return list(
        Review.objects.filter(assignment__proposal=proposal, status=ReviewStatus.SUBMITTED)
        .exclude(comments_to_speakers="")
        .order_by("submitted_at", "pk")
        .values_list("comments_to_speakers", flat=True)
    )


def render_decision_mail(
    *,
    proposal: Proposal,
    outcome: str,
    template: DecisionTemplate,
    speaker_name: str,
    comments: list[str],
) -> DecisionMail:
    from practica.conference.mails.decisions import proposal_page_url

    edition = proposal.edition
    url = proposal_page_url(proposal)
    context = {
        "speaker": speaker_name,
        "proposal": ProposalText(
            title=proposal.title,
            format=str(proposal.format.name) if proposal.format_id else "",
            track=proposal.track.name if proposal.track_id and proposal.track else "",
            url=url,
        ),
        "edition": EditionText(
            name=edition.name, starts_on=edition.starts_on, ends_on=edition.ends_on
        ),
        "outcome": DecisionOutcome(outcome).label,
    }
    return DecisionMail(
        outcome=outcome,
        subject=" ".join(_render(template.subject, context).split()),
        body=_render(template.body, context).strip(),
        speaker_name=speaker_name,
        proposal_url=url,
        comments=comments,
    )


def preview_decision_mail(
    *, proposal: Proposal, actor: Any, outcome: str | None = None
) -> DecisionMail:
    """The mail the speakers of `proposal` would get, as its first speaker would read it
    (chair only). `outcome` defaults to the proposal's decision; an undecided proposal needs
    one."""
    edition = proposal.edition
    _check_chair(actor, edition)
    proposal = Proposal.objects.select_related("format", "track").get(pk=proposal.pk)
    proposal.edition = edition
    if outcome is None or outcome == "":
        outcome = proposal.state if proposal.state in DecisionOutcome.values else None
        if proposal.state == ProposalState.CONFIRMED:
            outcome = DecisionOutcome.ACCEPTED
    if outcome not in DecisionOutcome.values:
        raise ValidationError(
            {"outcome": _("The proposal is not decided yet: choose the outcome to preview.")}
        )
    template = ensure_decision_templates(edition)[str(outcome)]
    speaker = (
        ProposalSpeaker.objects.filter(proposal=proposal, status=SpeakerStatus.ACCEPTED)
        .select_related("person")
        .order_by("position", "pk")
        .first()
    )
    return render_decision_mail(
        proposal=proposal,
        outcome=str(outcome),
        template=template,
        speaker_name=_speaker_name(speaker) if speaker else _("Speaker name"),
        comments=comments_to_speakers(proposal),
    )


def _speaker_name(speaker: ProposalSpeaker) -> str:
    if speaker.person is not None:
        return speaker.person.display_name or speaker.email
    return speaker.email


@dataclass(frozen=True)
class DecisionMailReport:
    """What a bulk send did: proposals marked mailed, mails queued, proposals per outcome."""

    proposals: int = 0
    mails: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)


def send_decision_mails(
    *, edition: Edition, actor: Any, now: datetime | None = None
) -> DecisionMailReport:
    """Mail the speakers of every decided, not yet mailed proposal of `edition` (chair only).

    One mail per accepted speaker with an address, in their language; a proposal is marked
    `decision_mailed_at` in the same transaction as its mails enter the outbox. Running it
    again sends only what was decided since. An audit row records the batch.
    """
    from practica.conference.mails.decisions import mail_decision

    now = now or timezone.now()
    _check_chair(actor, edition)
    templates = ensure_decision_templates(edition)
    pending = list(
        Proposal.objects.filter(
            edition=edition, state__in=MAILABLE_STATES, decision_mailed_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    proposals = mails = 0
    by_outcome: dict[str, int] = {}
    for proposal_id in pending:
        with transaction.atomic():
            proposal = (
                Proposal.objects.select_for_update(of=("self",))
                .select_related("format", "track")
                .filter(pk=proposal_id, state__in=MAILABLE_STATES, decision_mailed_at__isnull=True)
                .first()
            )
            if proposal is None:
                continue
            proposal.edition = edition
            outcome = str(proposal.state)
            comments = comments_to_speakers(proposal)
            speakers = list(
                ProposalSpeaker.objects.filter(proposal=proposal, status=SpeakerStatus.ACCEPTED)
                .select_related("person")
                .order_by("position", "pk")
            )
            for speaker in speakers:
                rendered = render_decision_mail(
                    proposal=proposal,
                    outcome=outcome,
                    template=templates[outcome],
                    speaker_name=_speaker_name(speaker),
                    comments=comments,
                )
                if mail_decision(proposal=proposal, speaker=speaker, mail=rendered):
                    mails += 1
            Proposal.objects.filter(pk=proposal.pk).update(decision_mailed_at=now)
            proposals += 1
            by_outcome[outcome] = by_outcome.get(outcome, 0) + 1
    if proposals:
        record_audit(
            actor_id=actor.pk,
            action="conference.decision_mails_sent",
            target=edition,
            community_id=edition.community_id,
            data={"proposals": proposals, "mails": mails, "by_outcome": by_outcome},
        )
    return DecisionMailReport(proposals=proposals, mails=mails, by_outcome=by_outcome)
