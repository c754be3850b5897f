"""The words of the demo's budgets and grants: what members asked for, why, what the manager
answered, and how it went."""

from dataclasses import dataclass

from practica.budget.models import BudgetCategory


@dataclass(frozen=True)
class GrantIdea:
    title: str  # {group}, {topic}, {city}
    purpose: str
    low: int
    high: int
    for_group: bool = False


GRANT_IDEAS = (
    GrantIdea(
        "Pizza and drinks for this quarter's sessions: {group}",
        "We meet over lunch; a little food keeps people coming and makes newcomers feel "
        "welcome. About fifteen people a session, six sessions.",
        250, 900, for_group=True,
    ),
    GrantIdea(
        "Books for the {group}",
        "Four copies of the book we are working through, kept in the community library "
        "afterwards so the next group can borrow them.",
        150, 600, for_group=True,
    ),
    GrantIdea(
        "Cloud credits for a mini-hackathon on {topic} in {city}",
        "A one-day hackathon for the {city} office: teams need GPU time for the day, and the "
        "results go into the community's examples repository.",
        800, 2500,
    ),
    GrantIdea(
        "Travel for a guest speaker at the {city} meetup",
        "An external expert on {topic} agreed to speak at our meetup in {city}; the talk will "
        "be recorded for the library.",
        900, 2400,
    ),
    GrantIdea(
        "Prizes for the {city} office's ML quiz",
        "A friendly quiz for the {city} office to bring in people who never came to an event.",
        150, 500,
    ),
    GrantIdea(
        "A workshop on {topic} for new members in {city}",
        "A half-day, hands-on introduction to {topic} for people new to the community, with "
        "the notebooks published afterwards.",
        400, 1500,
    ),
    GrantIdea(
        "Dataset licence for a study session on {topic}",
        "A public benchmark's commercial licence so the study session can use realistic data "
        "instead of toy examples.",
        300, 1200,
    ),
    GrantIdea(
        "Captions for the {topic} tutorial series",
        "Captions make the recordings usable for colleagues who prefer reading or do not speak "
        "English as a first language.",
        500, 1800,
    ),
)  # fmt: skip

PARTLY_REASONS = (
    "We can cover most of it, not all: the grants line is shared by every group this year.",
    "Approved for the venue and the food; the swag has to come from elsewhere.",
    "Half now; apply again for the second half once the first sessions have run.",
)
DECLINE_REASONS = (
    "Licences are paid from the teams' own budgets, not the community's grants.",
    "This overlaps with the conference's own workshop in the same month; let's fold it in.",
    "The grants line for the year is used up; please apply again next year.",
)
OUTCOMES = (
    "It went well: about twenty people came, and the notebooks are in the community library.",
    "Fewer people than hoped in the first session, full rooms after that. Thanks!",
    "Done. The recording is on the community's page and three people joined the group since.",
    "Ran as planned, a little under budget; the leftover goes back to the community.",
)
GRANT_TOPICS = (
    "computer vision",
    "NLP",
    "reinforcement learning",
    "MLOps",
    "recommender systems",
    "time series",
    "Bayesian methods",
    "large language models",
)

# Expenses besides the events' own cost lines: (category, description, low, high).
CONFERENCE_EXPENSES = (
    (BudgetCategory.CONFERENCE, "Conference app, signage and printing: {event}", 2500, 6000),
    (BudgetCategory.RECORDING, "Captions and editing of the talks for the library: {event}",
     1500, 4000),
)  # fmt: skip
YEARLY_EXPENSES = (
    (BudgetCategory.SWAG, "Stickers and T-shirts for the year", 2000, 5000),
    (BudgetCategory.OTHER, "Books for the community library", 600, 1500),
    (BudgetCategory.VENUE, "Room hire for the leadership team's strategy day", 1200, 3000),
)
OVERSPEND = (
    BudgetCategory.FOOD,
    "Catering for the hackathon's extra day",
    "The hackathon ran a second day at the teams' request; agreed with the sponsor.",
)
VOID_REASON = "Entered twice: the order is the one recorded the same day."
