"""What the demo's events are made of: formats with their length, mode, seats and pull; titles,
descriptions, series, venues, guests, AMA questions and feedback comments.

`interest` is the share of the hosting communities' current members who want a seat, so a
webinar of the 7,000-member community draws one or two hundred and a hands-on lab fills its 30
seats and keeps a waiting list.
"""

from dataclasses import dataclass

from practica.demo.communities import AI, CIRCLE, DATA_ENGINEERING, RESPONSIBLE_AI
from practica.demo.growth import ML
from practica.events.models import EventFormat as F
from practica.events.models import EventMode as M
from practica.events.models import SeriesCadence

DEFAULT_MEMBERS = 7000
CONFERENCE_SEATS = 1000
CONFERENCE_WAITLIST = 300


@dataclass(frozen=True)
class FormatSpec:
    format: str
    minutes: tuple[int, int]
    modes: tuple[tuple[str, int], ...]
    in_person_seats: tuple[int, int]
    online_seats: int | None  # None: unlimited
    interest: tuple[float, float]
    waitlist_limit: int | None
    speakers: tuple[int, int]
    titles: tuple[str, ...]


FORMATS: dict[str, FormatSpec] = {
    spec.format: spec
    for spec in (
        FormatSpec(F.TALK, (50, 60), ((M.HYBRID, 6), (M.ONLINE, 3), (M.IN_PERSON, 1)), (60, 150),
                   None, (0.008, 0.02), None, (1, 2), (
            "{topic} in production: what we learned",
            "A practical introduction to {topic}",
            "{topic}: the state of the art in {year}",
            "Beyond the benchmark: evaluating {topic}",
            "Lessons from shipping {topic} to millions of users",
            "Why our {topic} models failed, and how we fixed them",
            "{topic} on a budget",
        )),
        FormatSpec(F.WEBINAR, (45, 60), ((M.ONLINE, 1),), (0, 0), 500, (0.015, 0.035), None,
                   (1, 2), (
            "Webinar: {topic} for product teams",
            "Webinar: {topic} at scale",
            "Webinar: getting started with {topic}",
            "Webinar: what's new in {topic}",
        )),
        FormatSpec(F.TUTORIAL, (120, 180), ((M.HYBRID, 5), (M.ONLINE, 5)), (40, 80), 250,
                   (0.006, 0.015), 60, (1, 2), (
            "Tutorial: {topic} from scratch",
            "Tutorial: {topic} with PyTorch",
            "Tutorial: a first project in {topic}",
            "Tutorial: debugging {topic} pipelines",
        )),
        FormatSpec(F.HANDS_ON_LAB, (150, 180), ((M.IN_PERSON, 7), (M.HYBRID, 3)), (24, 40), 60,
                   (0.006, 0.012), 25, (1, 2), (
            "Hands-on lab: {topic} on the GPU cluster",
            "Hands-on lab: a {topic} service, end to end",
            "Hands-on lab: {topic} notebooks you can take home",
        )),
        FormatSpec(F.AMA, (45, 60), ((M.HYBRID, 7), (M.ONLINE, 3)), (80, 200), None,
                   (0.02, 0.045), None, (1, 1), (
            "Ask me anything with {speaker}",
            "AMA: {speaker_name} on {topic} and the road ahead",
        )),
        FormatSpec(F.PANEL, (60, 90), ((M.HYBRID, 8), (M.ONLINE, 2)), (80, 180), None,
                   (0.01, 0.025), None, (3, 4), (
            "Panel: the future of {topic}",
            "Panel: {topic} in the real world",
            "Panel: research meets product in {topic}",
        )),
        FormatSpec(F.KEYNOTE, (45, 60), ((M.HYBRID, 1),), (200, 400), None, (0.025, 0.05), None,
                   (1, 1), (
            "Keynote: {topic} and the next decade",
            "Keynote: what {topic} means for our products",
        )),
        FormatSpec(F.CHALLENGE, (28 * 24 * 60, 28 * 24 * 60), ((M.ONLINE, 1),), (0, 0), None,
                   (0.006, 0.015), None, (0, 0), (
            "The {year} {topic} challenge",
            "Leaderboard challenge: {topic}",
        )),
        FormatSpec(F.HACKATHON, (2 * 24 * 60, 2 * 24 * 60), ((M.IN_PERSON, 7), (M.HYBRID, 3)),
                   (80, 150), 100, (0.01, 0.02), 40, (0, 0), (
            "{season} hackathon: {topic}",
            "Hack week: {topic} for good",
        )),
        FormatSpec(F.QUIZ, (60, 75), ((M.HYBRID, 6), (M.IN_PERSON, 4)), (40, 80), 200,
                   (0.006, 0.012), 30, (0, 0), (
            "ML quiz night: {topic} edition",
            "Trivia: {topic} and friends",
        )),
        FormatSpec(F.MEETUP, (90, 120), ((M.IN_PERSON, 1),), (30, 80), None, (0.006, 0.015), 30,
                   (1, 1), (
            "{city} meetup: {topic}",
            "{city} meetup: lightning talks on {topic}",
        )),
        FormatSpec(F.STUDY_SESSION, (60, 60), ((M.ONLINE, 6), (M.HYBRID, 4)), (15, 30), 60,
                   (0.003, 0.006), 20, (0, 0), ()),
        FormatSpec(F.CONFERENCE, (2 * 24 * 60, 2 * 24 * 60), ((M.IN_PERSON, 1),), (1000, 1000),
                   None, (0.0, 0.0), CONFERENCE_WAITLIST, (0, 0), ()),
    )
}  # fmt: skip

# The formats a community's free slots are drawn from (weights), beside its series.
FREE_MIX: dict[str, tuple[tuple[str, int], ...]] = {
    ML: ((F.TALK, 8), (F.WEBINAR, 9), (F.TUTORIAL, 6), (F.HANDS_ON_LAB, 5), (F.PANEL, 3),
         (F.KEYNOTE, 2), (F.MEETUP, 6)),
    AI: ((F.WEBINAR, 5), (F.TALK, 4), (F.PANEL, 2), (F.HANDS_ON_LAB, 2), (F.AMA, 1),
         (F.KEYNOTE, 1)),
    DATA_ENGINEERING: ((F.TALK, 4), (F.TUTORIAL, 3), (F.HANDS_ON_LAB, 2), (F.WEBINAR, 2)),
    RESPONSIBLE_AI: ((F.TALK, 3), (F.PANEL, 3), (F.WEBINAR, 2)),
    CIRCLE: ((F.PANEL, 1),),
}  # fmt: skip
# Events a year (at least, at most): the target cadence, and the content calendar's.
CADENCE: dict[str, tuple[int, int]] = {
    ML: (50, 60),
    AI: (18, 24),
    DATA_ENGINEERING: (10, 14),
    RESPONSIBLE_AI: (8, 12),
    CIRCLE: (5, 6),
}
FIRST_EVENTS_YEAR = {ML: 2014}  # the others start the year after their founding


@dataclass(frozen=True)
class SeriesSpec:
    key: str
    community: str
    title: str
    description: str
    cadence: str
    format: str
    since: int  # first year
    count: int  # sessions a year
    title_pattern: str  # {n} the session's number, {topic}, {chapter}


SERIES: tuple[SeriesSpec, ...] = (
    SeriesSpec("ml-monthly", ML, "ML Monthly",
               "The community's monthly talk: one practitioner, one problem, forty minutes and "
               "questions.", SeriesCadence.MONTHLY, F.TALK, 2014, 11, "ML Monthly: {topic}"),
    SeriesSpec("leadership-ama", ML, "Leadership AMA",
               "Every quarter an executive answers the community's questions, voted up in "
               "advance.", SeriesCadence.QUARTERLY, F.AMA, 2014, 4, ""),
    SeriesSpec("study-group", ML, "Deep learning study group",
               "A weekly study group working through a textbook chapter by chapter, with "
               "exercises between sessions.", SeriesCadence.WEEKLY, F.STUDY_SESSION, 2014, 8,
               "Study group, session {n}: {chapter}"),
    SeriesSpec("quiz-night", ML, "ML Quiz Night",
               "Teams of four, six rounds, one trophy: the community's quiz, twice a year.",
               SeriesCadence.IRREGULAR, F.QUIZ, 2015, 2, ""),
    SeriesSpec("hackathon", ML, "ML Hackathon",
               "Two days to build something useful with machine learning; demos on day two.",
               SeriesCadence.IRREGULAR, F.HACKATHON, 2015, 1, ""),
    SeriesSpec("challenge", ML, "ML Challenge",
               "A month-long modelling challenge with a public leaderboard.",
               SeriesCadence.IRREGULAR, F.CHALLENGE, 2016, 1, ""),
    SeriesSpec("ai-in-products", AI, "AI in Products",
               "A monthly webinar on AI features that shipped: what worked, what did not.",
               SeriesCadence.MONTHLY, F.WEBINAR, 2017, 10, "AI in Products: {topic}"),
    SeriesSpec("de-meetup", DATA_ENGINEERING, "Data Engineering Meetup",
               "Pipelines, pizza and lightning talks, every other month.",
               SeriesCadence.IRREGULAR, F.MEETUP, 2016, 6, "Data Engineering Meetup: {topic}"),
    SeriesSpec("rai-reading-group", RESPONSIBLE_AI, "Responsible AI reading group",
               "One paper a month on fairness, interpretability, privacy or safety.",
               SeriesCadence.MONTHLY, F.STUDY_SESSION, 2019, 6,
               "Reading group: {topic}"),
    SeriesSpec("circle-strategy", CIRCLE, "Quarterly strategy session",
               "The circle reviews the community's goals against its numbers and plans the "
               "quarter.", SeriesCadence.QUARTERLY, F.MEETUP, 2017, 4,
               "Strategy session: {topic}"),
)  # fmt: skip

STUDY_CHAPTERS = (
    "Linear algebra refresher", "Probability and information theory", "Numerical computation",
    "Machine learning basics", "Deep feedforward networks", "Regularization",
    "Optimization for training deep models", "Convolutional networks", "Sequence modelling",
    "Practical methodology", "Representation learning", "Attention and transformers",
)  # fmt: skip
STRATEGY_TOPICS = (
    "the year's goals", "events and the conference", "growth and the welcome mail",
    "the budget", "response times", "the contributor ladder",
)  # fmt: skip
SEASONS = {
    1: "Winter", 2: "Winter", 3: "Spring", 4: "Spring", 5: "Spring", 6: "Summer",
    7: "Summer", 8: "Summer", 9: "Autumn", 10: "Autumn", 11: "Autumn", 12: "Winter",
}  # fmt: skip

# The two 2014 conferences: (title, month, day, city, registration opens (month, day)).
CONFERENCES_2014 = (
    ("Machine Learning Conference 2014 — Spring", 4, 22, "Redmond", (3, 10)),
    ("Machine Learning Conference 2014 — Autumn", 10, 14, "Redmond", (9, 2)),
)
CONFERENCE_DESCRIPTION = (
    "The Machine Learning community's own conference: two days of talks, tutorials and "
    "posters by practitioners from every division, chosen by the program committee from the "
    "community's proposals.\n\n"
    "**Day one** opens with the keynote and continues in three tracks: research, applied "
    "machine learning, and ML engineering. **Day two** has tutorials in the morning and the "
    "poster session over lunch.\n\n"
    "Seats are limited to the conference centre's capacity; when they are gone you can join "
    "the waiting list, and freed seats are offered in order."
)

# Buildings and rooms by city; other offices use the generic ones.
VENUES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Redmond": ("Building 99", ("Auditorium", "Room 1915", "Room 1927", "Lecture Hall A")),
    "Seattle": ("Lake Union Tower", ("Skyline Room", "Room 12.04")),
    "Bangalore": ("Signature Building", ("Brigade Hall", "Room 3B", "Innovation Lab")),
    "London": ("Paddington Works", ("The Forum", "Room 4.12")),
    "Beijing": ("Tower 2", ("Great Hall", "Room 1208")),
    "Berlin": ("Unter den Linden 17", ("Spree Room", "Room 3.07")),
}
GENERIC_VENUE = ("Main office", ("Conference Room A", "Training Room", "Town Hall"))
CONFERENCE_VENUE = ("Conference Center", "Kodiak and Cascade Halls")

GUESTS = (
    ("Prof. Elena Marquez", "University of Washington"),
    ("Dr. Kwame Mensah", "Open Research Institute"),
    ("Priya Natarajan", "Indian Institute of Science"),
    ("Dr. Hannah Oyelaran", "Stanford University"),
    ("Tomás Lindqvist", "Nordic AI Lab"),
    ("Dr. Mei Tanaka", "University of Tokyo"),
    ("Prof. Daniel Okafor", "ETH Zürich"),
    ("Sofia Benedetti", "European Data Forum"),
)

DESCRIPTION_OPENINGS: dict[str, str] = {
    F.TALK: "A talk on **{topic}** by people who do it every day.",
    F.WEBINAR: "An online session on **{topic}**, open to everyone in the company.",
    F.TUTORIAL: "A guided tutorial on **{topic}**: bring a laptop and follow along.",
    F.HANDS_ON_LAB: "A hands-on lab on **{topic}**. Seats are few: the GPUs are reserved per seat.",
    F.AMA: "Ask anything: submit your questions before the session and vote up the ones you "
    "want answered first.",
    F.PANEL: "Practitioners from research and product debate **{topic}**.",
    F.KEYNOTE: "The keynote of the season on **{topic}**.",
    F.CHALLENGE: "A month-long modelling challenge on **{topic}** with a public leaderboard.",
    F.HACKATHON: "Two days to build something with **{topic}**; teams form on the first morning.",
    F.QUIZ: "Six rounds of questions about **{topic}** and machine learning in general; teams "
    "of four.",
    F.MEETUP: "An evening meetup with lightning talks on **{topic}** and time to talk.",
    F.STUDY_SESSION: "This week's session of the study group.",
}
DESCRIPTION_MIDDLES = (
    "We will cover the ideas first, then the practice: data, evaluation and what breaks in "
    "production.",
    "Expect concrete examples from teams across the company and time for questions.",
    "No prior experience needed beyond the basics of machine learning.",
    "The session builds on questions asked on the community's Q&A this quarter.",
)
DESCRIPTION_CLOSINGS = (
    "Recordings and slides are posted on this page afterwards.",
    "The online link is sent to registrants; in-person seats are limited.",
    "Questions in advance are welcome on the community's Q&A.",
)
CANCELLATION_REASONS = (
    "The speaker is unwell; we will reschedule.",
    "The building is closed for maintenance that day.",
    "It clashed with the company all-hands; it moves to next month.",
)

AMA_QUESTIONS = (
    "What is the one thing you wish every ML team here did differently?",
    "How do you decide which {topic} projects get funded?",
    "Where do you see {topic} in our products in three years?",
    "How should we measure the impact of the community on the business?",
    "What did you get wrong about {topic}, and what did you learn?",
    "How can engineers without a research background grow into ML roles?",
    "Will we get more GPU capacity for experiments next year?",
    "How do we balance shipping fast with responsible AI reviews?",
    "What makes a good ML team lead?",
    "Which open-source projects should the company contribute to?",
    "How do you stay current with the research?",
    "Should every product team have its own data scientist?",
    "What is the plan for internal ML platforms versus cloud services?",
    "How do we keep good people in the community when they change teams?",
    "What do customers ask you about {topic} most often?",
    "How should we evaluate large models before they reach customers?",
    "What would you tell yourself when you started in machine learning?",
    "How can the field teams get answers from experts faster?",
)
FEEDBACK_COMMENTS = (
    "Clear, practical and well paced. More examples from production next time, please.",
    "The live demo was the best part.",
    "Great speaker; the Q&A ran short.",
    "Too basic for me, but my team loved it.",
    "Audio in the room was hard to follow from online.",
    "Exactly what I needed for my project. Thank you!",
    "Slides were dense; the recording helps.",
    "Would love a follow-up session that goes deeper.",
    "Good mix of theory and practice.",
    "Started late, otherwise excellent.",
    "I met two people working on the same problem — worth it for that alone.",
    "Please repeat this in an Asia-friendly time slot.",
)
# (satisfaction, weight) and (would recommend, weight)
SATISFACTION = ((5, 38), (4, 42), (3, 13), (2, 5), (1, 2))
RECOMMEND = ((10, 22), (9, 26), (8, 22), (7, 12), (6, 7), (5, 5), (4, 2), (3, 2), (2, 1), (0, 1))
