"""Metrics data: rollups the dashboards read (`rollups.py`) and NPS pulse surveys (`surveys.py`)."""

from practica.metrics.models.rollups import (
    AnswerFact,
    CohortCell,
    CommunityDay,
    CommunityMonth,
    EventFact,
    QuestionFact,
    RollupState,
)
from practica.metrics.models.surveys import PulseInvitation, PulseStatus, PulseSurvey

__all__ = [
    "AnswerFact",
    "CohortCell",
    "CommunityDay",
    "CommunityMonth",
    "EventFact",
    "PulseInvitation",
    "PulseStatus",
    "PulseSurvey",
    "QuestionFact",
    "RollupState",
]
