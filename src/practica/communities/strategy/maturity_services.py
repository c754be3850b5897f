"""Recording a maturity self-assessment: a stage (1–4) for each of the Community Roundtable's
eight competencies, with notes. Assessments are kept, never edited, so the trend stays honest.
Only the community manager records one (staff too)."""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.models import (
    Community,
    MaturityAssessment,
    MaturityCompetency,
    MaturityScore,
    MaturityStage,
)
from practica.communities.strategy.permissions import require_strategy_editor
from practica.core.services import record_audit
from practica.people.models import User

MAX_ASSESSMENT_NOTE = 5000
MAX_SCORE_NOTE = 500
EARLIEST_ASSESSMENT = date(2000, 1, 1)


def _clean_stages(stages: Mapping[str, object]) -> tuple[dict[str, int], list[str]]:
    cleaned: dict[str, int] = {}
    problems: list[str] = []
    unknown = sorted(set(stages) - set(MaturityCompetency.values))
    if unknown:
        problems.append(
            _("Unknown competencies: %(names)s.") % {"names": ", ".join(map(str, unknown))}
        )
    for competency in MaturityCompetency:
        stage = stages.get(competency.value)
        if stage is None:
            problems.append(_("Choose a stage for %(name)s.") % {"name": competency.label})
        elif isinstance(stage, bool) or not isinstance(stage, int) or stage not in MaturityStage:
            problems.append(
                _("The stage of %(name)s is 1, 2, 3 or 4.") % {"name": competency.label}
            )
        else:
            cleaned[competency.value] = stage
    return cleaned, problems


def record_maturity_assessment(
    *,
    community: Community,
    actor: User,
    assessed_on: date,
    stages: Mapping[str, object],
    score_notes: Mapping[str, str] | None = None,
    note: str = "",
) -> MaturityAssessment:
    """Record one assessment: `stages` maps every competency (`MaturityCompetency`) to a stage
    1–4, `score_notes` optionally says why per competency, `note` about the whole. The day may
    not be in the future. Every problem is reported at once (ValidationError keyed by field)
    and nothing is saved. Audited."""
    require_strategy_editor(actor, community)
    problems: dict[str, list[str]] = {}
    cleaned, stage_problems = _clean_stages(stages)
    if stage_problems:
        problems["stages"] = stage_problems
    if not isinstance(assessed_on, date):
        problems["assessed_on"] = [_("Give the day of the assessment.")]
    elif assessed_on > timezone.localdate():
        problems["assessed_on"] = [_("An assessment cannot be dated in the future.")]
    elif assessed_on < EARLIEST_ASSESSMENT:
        problems["assessed_on"] = [_("Give a day from the year 2000 on.")]
    notes: dict[str, str] = {}
    for competency, given in (score_notes or {}).items():
        if competency not in MaturityCompetency.values:
            problems.setdefault("score_notes", []).append(
                _("Unknown competency: %(name)s.") % {"name": competency}
            )
            continue
        text = " ".join(str(given).split())
        if len(text) > MAX_SCORE_NOTE or "\x00" in text:
            problems.setdefault("score_notes", []).append(
                _("Keep the note on %(name)s to %(n)d characters.")
                % {"name": MaturityCompetency(competency).label, "n": MAX_SCORE_NOTE}
            )
        notes[competency] = text
    note = (note or "").strip()
    if len(note) > MAX_ASSESSMENT_NOTE or "\x00" in note:
        problems["note"] = [_("Keep the note to %(n)d characters.") % {"n": MAX_ASSESSMENT_NOTE}]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        assessment = MaturityAssessment.objects.create(
            community=community, assessed_on=assessed_on, assessed_by=actor, note=note
        )
        MaturityScore.objects.bulk_create(
            MaturityScore(
                assessment=assessment,
                competency=competency,
                stage=stage,
                note=notes.get(competency, ""),
            )
            for competency, stage in cleaned.items()
        )
        record_audit(
            actor_id=actor.pk,
            action="strategy.maturity_recorded",
            target=assessment,
            community_id=community.pk,
            data={"assessed_on": assessed_on.isoformat(), "stages": cleaned},
        )
    return assessment
