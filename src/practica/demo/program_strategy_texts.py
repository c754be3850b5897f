"""The words of Machine Learning's strategy versions and maturity self-assessments."""

from dataclasses import dataclass

from practica.communities.models import MaturityCompetency as C
from practica.communities.models import TargetComparison

AT_LEAST, AT_MOST = TargetComparison.AT_LEAST, TargetComparison.AT_MOST


@dataclass(frozen=True)
class AudienceSpec:
    label: str
    org_unit: str = ""  # the name of a division or group of the org chart
    role: str = ""
    job_title_contains: str = ""


@dataclass(frozen=True)
class TargetSpec:
    metric_key: str  # registered by practica.metrics (see metrics/target_metrics.py)
    label: str
    comparison: str
    value: str  # a count as a share of --members when it starts with "×"
    amber: int = 10


@dataclass(frozen=True)
class VersionSpec:
    year: int  # 0: the present version, of the last year whose approval day has passed
    created: tuple[int, int]  # (month, day)
    approved: tuple[int, int]
    summary: str
    change_note: str
    goals: tuple[str, ...]
    scenarios: tuple[str, ...]
    principles: tuple[str, ...]
    audience: tuple[AudienceSpec, ...]
    targets: tuple[TargetSpec, ...]


GOALS_2014 = (
    "Help everyone who builds with machine learning learn faster from each other.",
    "Find the practitioner who knows, across teams, divisions and offices.",
    "Keep what people learn in the company when they move on.",
    "Ship better models by sharing what worked and what did not.",
)
SCENARIOS_2014 = (
    "I can easily find and connect with other practitioners at the company.",
    "I can ask a question and get a good answer within a day.",
    "I can present my work to people who understand it and learn from their questions.",
    "I can find the talks and materials of past events when I need them.",
)
PRINCIPLES_2014 = (
    "We create opportunities for people to contribute.",
    "We don't try to control the conversation.",
    "We recruit for enthusiasm, not for seniority.",
    "Everything we make is open to every employee.",
)
AUDIENCE_2014 = (
    AudienceSpec("Research", org_unit="Research"),
    AudienceSpec("Analytics and forecasting teams", org_unit="Analytics"),
    AudienceSpec("Data scientists, wherever they sit", job_title_contains="Data scientist"),
    AudienceSpec("Applied scientists, wherever they sit", job_title_contains="Applied scientist"),
)
AUDIENCE_2017 = (
    *AUDIENCE_2014,
    AudienceSpec("Engineers of the ML Platform", org_unit="ML Platform"),
)
AUDIENCE_2021 = (
    *AUDIENCE_2017,
    AudienceSpec(
        "Machine learning engineers, wherever they sit",
        job_title_contains="Machine Learning Engineer",
    ),
)
AUDIENCE_NOW = (
    *AUDIENCE_2021,
    AudienceSpec("Product managers of AI features", org_unit="Cloud & AI Platform", role="pm"),
)
TARGETS_2014 = (
    TargetSpec("members", "Members", AT_LEAST, "×0.25"),
    TargetSpec("median_first_response_hours", "Median time to first response", AT_MOST, "24"),
    TargetSpec("answered_within_24h_share", "Questions answered within a day", AT_LEAST, "0.6"),
    TargetSpec("events_held_year", "Events a year", AT_LEAST, "40"),
)
TARGETS_2017 = (
    TargetSpec("members", "Members", AT_LEAST, "×0.6"),
    TargetSpec("median_first_response_hours", "Median time to first response", AT_MOST, "8"),
    TargetSpec("answered_within_24h_share", "Questions answered within a day", AT_LEAST, "0.75"),
    TargetSpec("retention_6_months", "Retention at 6 months", AT_LEAST, "0.55"),
    TargetSpec("events_held_year", "Events a year", AT_LEAST, "50"),
    TargetSpec("csat", "Event satisfaction", AT_LEAST, "0.8", amber=5),
)
TARGETS_2021 = (
    TargetSpec("members", "Members", AT_LEAST, "×0.95"),
    TargetSpec("median_first_response_hours", "Median time to first response", AT_MOST, "2", 25),
    TargetSpec("answered_within_24h_share", "Questions answered within a day", AT_LEAST, "0.85"),
    TargetSpec("retention_6_months", "Retention at 6 months", AT_LEAST, "0.6"),
    TargetSpec("events_held_year", "Events a year", AT_LEAST, "50"),
    TargetSpec("csat", "Event satisfaction", AT_LEAST, "0.85", amber=5),
    TargetSpec("cross_org_answer_share", "Answers across org units", AT_LEAST, "0.4"),
)
TARGETS_NOW = (
    TargetSpec("members", "Members", AT_LEAST, "×1.1"),
    *TARGETS_2021[1:],
    TargetSpec("attendance_rate", "Registered people who come", AT_LEAST, "0.6"),
)

VERSIONS = (
    VersionSpec(
        2014,
        (2, 20),
        (3, 12),
        "Turn the Machine Learning email list into a community of practice: a place where "
        "everyone at the company who builds with machine learning finds the people who know, "
        "gets answers fast, and shares what they learn at regular events and a conference of "
        "our own.",
        "The first strategy, written with the new leadership team.",
        GOALS_2014,
        SCENARIOS_2014,
        PRINCIPLES_2014,
        AUDIENCE_2014,
        TARGETS_2014,
    ),
    VersionSpec(
        2017,
        (1, 9),
        (2, 1),
        "Machine Learning is now part of the Communities of Practice program, beside its sister "
        "community Artificial Intelligence. We keep the list's spirit and grow what works: fast "
        "answers, 50 events a year and the twice-yearly conference; we start measuring whether "
        "people stay and whether events are worth their time.",
        "Joined the program with Artificial Intelligence; ML Platform engineers added to the "
        "audience; targets for retention and event satisfaction.",
        (
            *GOALS_2014,
            "Serve members together with the sister communities instead of competing for them.",
        ),
        (
            *SCENARIOS_2014,
            "I can find an event of Machine Learning or Artificial Intelligence without two of "
            "them clashing.",
        ),
        PRINCIPLES_2014,
        AUDIENCE_2017,
        TARGETS_2017,
    ),
    VersionSpec(
        2021,
        (1, 11),
        (2, 3),
        "After a year of working from everywhere, the community is online first: every event "
        "can be followed remotely, and questions are answered within hours wherever the asker "
        "sits. Grassroots groups are the community's engine; we fund them with small grants and "
        "never try to run them.",
        "Online first; a two-hour response target; grants for grassroots groups; machine "
        "learning engineers added to the audience; answers across org units measured.",
        (
            *GOALS_2014,
            "Serve members together with the sister communities instead of competing for them.",
            "Help grassroots groups start, thrive and end well.",
        ),
        (
            "I can easily find and connect with other practitioners at the company.",
            "I can ask a question and get a good answer within a couple of hours.",
            "I can follow any event from wherever I work and catch up on its recording.",
            "I can start a reading or study group and get a small grant to run it.",
        ),
        (
            *PRINCIPLES_2014,
            "We link up with grassroots groups instead of trying to control them.",
        ),
        AUDIENCE_2021,
        TARGETS_2021,
    ),
    VersionSpec(
        0,
        (1, 13),
        (2, 5),
        "A community of practice for every part of the company that builds with machine "
        "learning and AI, run as one program with its sister communities: one calendar, shared "
        "events, a contributor ladder that recognizes people who give their time, and a budget "
        "we account for openly.",
        "Product managers of AI features added to the audience; attendance measured; the "
        "contributor ladder and the program's one calendar.",
        (
            *GOALS_2014,
            "Serve members together with the sister communities instead of competing for them.",
            "Help grassroots groups start, thrive and end well.",
            "Recognize the people who contribute, and ask the next ones early.",
        ),
        (
            "I can easily find and connect with other practitioners at the company.",
            "I can ask a question and get a good answer within a couple of hours.",
            "I can follow any event from wherever I work and catch up on its recording.",
            "I can start a reading or study group and get a small grant to run it.",
            "I can see how to contribute more, and someone asks me when I'm ready.",
        ),
        (
            *PRINCIPLES_2014,
            "We link up with grassroots groups instead of trying to control them.",
        ),
        AUDIENCE_NOW,
        TARGETS_NOW,
    ),
)
DRAFT_NOTE = "Proposed for next year: retention at 6 months up to 65%; one more goal on mentoring."
DRAFT_GOAL = "Pair every new member who asks for it with an experienced practitioner."
DRAFT_RETENTION = "0.65"

SPONSOR_REMIT = "Executive sponsor: the budget, and the company's priorities in the strategy."
MANAGER_REMIT = "Community manager: runs the community day to day and reports to the sponsor."
FOUNDER_REMIT = "Founder of the list: the community's culture and its newcomers."
LEADER_REMITS = (
    "The conference and its program committee.",
    "Questions and answers: nobody waits long for a good answer.",
    "Events, the monthly talk and the study groups.",
    "Measurement: the numbers behind this strategy.",
    "Grassroots groups and their grants.",
    "The sister communities and the program's calendar.",
)

# Maturity: each competency's stage at the first assessment, and the years it rose a stage.
MATURITY = {
    C.STRATEGY: (2, (2017, 2022)),
    C.LEADERSHIP: (2, (2016, 2021)),
    C.CULTURE: (2, (2015, 2019)),
    C.COMMUNITY_MANAGEMENT: (1, (2015, 2017, 2023)),
    C.CONTENT_AND_PROGRAMMING: (2, (2015, 2020)),
    C.POLICIES_AND_GOVERNANCE: (1, (2017, 2021)),
    C.TOOLS: (1, (2016, 2019, 2025)),
    C.METRICS: (1, (2017, 2021, 2025)),
}
MATURITY_NOTES = {
    (C.STRATEGY, 2014): "A strategy approved by the sponsor's leadership team, for the first time.",
    (C.COMMUNITY_MANAGEMENT, 2015): "A community manager with time set aside for the community.",
    (C.CONTENT_AND_PROGRAMMING, 2015): "Fifty events a year and two conferences.",
    (C.TOOLS, 2016): "Out of the email list and the wiki: one place for questions and events.",
    (C.POLICIES_AND_GOVERNANCE, 2017): "Review guidelines and a code of conduct for events.",
    (C.METRICS, 2017): "Targets in the strategy, reviewed every quarter.",
    (C.LEADERSHIP, 2021): "Leaders with remits, a bench of organizers behind them.",
    (C.METRICS, 2021): "Live values beside every target, no spreadsheets.",
    (C.TOOLS, 2025): "One platform for the program: calendar, ladder, budget and grants.",
}
ASSESSMENT_NOTES = {
    2014: "First self-assessment, with the leadership team, after the strategy was approved.",
    2017: "Assessed with the program office when we joined the program.",
    2021: "Assessed online; the year of working from everywhere changed how we run events.",
}
DEFAULT_ASSESSMENT_NOTE = "The yearly self-assessment with the leadership team."
