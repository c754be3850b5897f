"""Every write about a community's strategy: start a draft, edit it, approve it, discard it.

A strategy is a chain of whole versions (`StrategyVersion` with its audience, targets and
leadership team). Only a draft changes; approving it supersedes the version approved before.
Only the community manager (`is_community_manager`, staff too) writes, checked here as well as
in the views and the API.

Locks: starting a draft locks the community row (so two managers cannot both number a new
version); editing, approving and discarding lock the draft's row and re-read its status, so a
draft approved or discarded meanwhile is refused rather than changed. `select_for_update` is a
no-op on SQLite, where IMMEDIATE transactions serialise writers anyway. The partial unique
constraint `one_strategy_draft` is the last line of defence against two drafts.
"""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.models import (
    Community,
    StrategyAudience,
    StrategyLeader,
    StrategyStatus,
    StrategyTarget,
    StrategyVersion,
)
from practica.communities.strategy.permissions import require_strategy_editor
from practica.communities.strategy.sections import (
    MAX_NOTE_LENGTH,
    MAX_SUMMARY_LENGTH,
    AudienceRow,
    LeaderRow,
    TargetRow,
    clean_audience,
    clean_leaders,
    clean_statements,
    clean_targets,
    clean_text,
)
from practica.core.services import record_audit
from practica.people.models import User


def _locked_draft(draft: StrategyVersion) -> StrategyVersion:
    locked = (
        StrategyVersion.objects.select_for_update()
        .select_related("community")
        .filter(pk=draft.pk, status=StrategyStatus.DRAFT)
        .first()
    )
    if locked is None:
        raise ValidationError(
            _("This draft has been approved or discarded meanwhile: reload the strategy.")
        )
    return locked


def _copy_sections(source: StrategyVersion, target: StrategyVersion) -> None:
    StrategyAudience.objects.bulk_create(
        StrategyAudience(
            version=target,
            label=row.label,
            org_unit_id=row.org_unit_id,
            role=row.role,
            job_title_contains=row.job_title_contains,
            position=row.position,
        )
        for row in source.audience.all()
    )
    StrategyTarget.objects.bulk_create(
        StrategyTarget(
            version=target,
            metric_key=row.metric_key,
            label=row.label,
            comparison=row.comparison,
            target_value=row.target_value,
            amber_margin_percent=row.amber_margin_percent,
            position=row.position,
        )
        for row in source.targets.all()
    )
    StrategyLeader.objects.bulk_create(
        StrategyLeader(
            version=target, person_id=row.person_id, remit=row.remit, position=row.position
        )
        for row in source.leaders.all()
    )


def start_strategy_draft(*, community: Community, actor: User) -> StrategyVersion:
    """Start the next version as a draft. The first is empty; a later one copies the version
    approved last, with its audience, targets and leadership team. Refused (ValidationError)
    while a draft exists: edit or discard it first. Locks the community row."""
    require_strategy_editor(actor, community)
    try:
        with transaction.atomic():
            Community.objects.select_for_update().filter(pk=community.pk).first()
            versions = StrategyVersion.objects.filter(community=community)
            if versions.filter(status=StrategyStatus.DRAFT).exists():
                raise ValidationError(
                    _("A draft exists already: edit it, or discard it to start again.")
                )
            approved = versions.filter(status=StrategyStatus.APPROVED).order_by("-number").first()
            number = (versions.aggregate(last=Max("number"))["last"] or 0) + 1
            draft = StrategyVersion.objects.create(
                community=community,
                number=number,
                status=StrategyStatus.DRAFT,
                summary=approved.summary if approved else "",
                goals=list(approved.goals) if approved else [],
                scenarios=list(approved.scenarios) if approved else [],
                principles=list(approved.principles) if approved else [],
                created_by=actor,
            )
            if approved is not None:
                _copy_sections(approved, draft)
            record_audit(
                actor_id=actor.pk,
                action="strategy.draft_started",
                target=draft,
                community_id=community.pk,
                data={"number": number, "copied_from": approved.number if approved else None},
            )
    except IntegrityError as error:
        # Another manager's draft won the race to the constraint.
        raise ValidationError(
            _("A draft exists already: edit it, or discard it to start again.")
        ) from error
    return draft


def edit_strategy_draft(
    *,
    draft: StrategyVersion,
    actor: User,
    summary: str | None = None,
    goals: Sequence[str] | None = None,
    scenarios: Sequence[str] | None = None,
    principles: Sequence[str] | None = None,
    change_note: str | None = None,
    audience: Sequence[AudienceRow] | None = None,
    targets: Sequence[TargetRow] | None = None,
    leaders: Sequence[LeaderRow] | None = None,
) -> StrategyVersion:
    """Change the sections given (None: unchanged); a section given replaces the old one whole.

    Statements are one line each, at most 300 characters and 30 per list; targets must name a
    registered metric; leaders must be current members. Every problem is reported at once
    (ValidationError keyed by section) and nothing changes. Locks the draft's row."""
    community = draft.community
    require_strategy_editor(actor, community)
    problems: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    for name, value, limit in (
        ("summary", summary, MAX_SUMMARY_LENGTH),
        ("change_note", change_note, MAX_NOTE_LENGTH),
    ):
        if value is not None:
            text, problem = clean_text(value, limit, multiline=name == "summary")
            if problem:
                problems[name] = [problem]
            fields[name] = text
    for name, values in (("goals", goals), ("scenarios", scenarios), ("principles", principles)):
        if values is not None:
            items, found = clean_statements(values)
            if found:
                problems[name] = found
            fields[name] = items
    checked: dict[str, tuple[list[Any], list[str]]] = {}
    if audience is not None:
        checked["audience"] = clean_audience(list(audience))
    if targets is not None:
        checked["targets"] = clean_targets(list(targets))
    if leaders is not None:
        checked["leaders"] = clean_leaders(community, list(leaders))
    sections: dict[str, list[Any]] = {}
    for name, (cleaned, found) in checked.items():
        if found:
            problems[name] = found
        sections[name] = cleaned
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        locked = _locked_draft(draft)
        for name, value in fields.items():
            setattr(locked, name, value)
        if fields:
            locked.save(update_fields=list(fields))
        _replace_sections(locked, sections)
        record_audit(
            actor_id=actor.pk,
            action="strategy.draft_edited",
            target=locked,
            community_id=community.pk,
            data={"number": locked.number, "sections": sorted([*fields, *sections])},
        )
    return locked


def _replace_sections(draft: StrategyVersion, sections: dict[str, list[Any]]) -> None:
    if "audience" in sections:
        draft.audience.all().delete()
        StrategyAudience.objects.bulk_create(
            StrategyAudience(
                version=draft,
                label=row.label,
                org_unit=row.org_unit,
                role=row.role,
                job_title_contains=row.job_title_contains,
                position=position,
            )
            for position, row in enumerate(sections["audience"])
        )
    if "targets" in sections:
        draft.targets.all().delete()
        StrategyTarget.objects.bulk_create(
            StrategyTarget(
                version=draft,
                metric_key=row.metric_key,
                label=row.label,
                comparison=row.comparison,
                target_value=row.target_value,
                amber_margin_percent=row.amber_margin_percent,
                position=position,
            )
            for position, row in enumerate(sections["targets"])
        )
    if "leaders" in sections:
        draft.leaders.all().delete()
        StrategyLeader.objects.bulk_create(
            StrategyLeader(version=draft, person=row.person, remit=row.remit, position=position)
            for position, row in enumerate(sections["leaders"])
        )


def approve_strategy_draft(
    *, draft: StrategyVersion, actor: User, approval_note: str = ""
) -> StrategyVersion:
    """Approve the draft: it records who approved, when, and the note (e.g. "approved by the
    sponsor's leadership team on 12 March"), and becomes the current strategy; the version
    approved before is superseded. An empty draft (no summary, no goal) is refused. Audited.
    Locks the draft's row."""
    community = draft.community
    require_strategy_editor(actor, community)
    note, problem = clean_text(approval_note, MAX_NOTE_LENGTH)
    if problem:
        raise ValidationError({"approval_note": problem})
    with transaction.atomic():
        locked = _locked_draft(draft)
        if not locked.summary and not locked.goals:
            raise ValidationError(
                _("An empty strategy cannot be approved: write at least a summary or a goal.")
            )
        previous = list(
            StrategyVersion.objects.filter(
                community=community, status=StrategyStatus.APPROVED
            ).values_list("number", flat=True)
        )
        StrategyVersion.objects.filter(community=community, status=StrategyStatus.APPROVED).update(
            status=StrategyStatus.SUPERSEDED
        )
        locked.status = StrategyStatus.APPROVED
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        locked.approval_note = note
        locked.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
        record_audit(
            actor_id=actor.pk,
            action="strategy.approved",
            target=locked,
            community_id=community.pk,
            data={"number": locked.number, "superseded": previous, "note": note},
        )
    return locked


def discard_strategy_draft(*, draft: StrategyVersion, actor: User) -> None:
    """Delete the draft (never approved, so no history is lost); audited. Locks its row."""
    community = draft.community
    require_strategy_editor(actor, community)
    with transaction.atomic():
        locked = _locked_draft(draft)
        number = locked.number
        record_audit(
            actor_id=actor.pk,
            action="strategy.draft_discarded",
            target=None,
            community_id=community.pk,
            data={"number": number, "version_id": locked.pk},
        )
        locked.delete()
