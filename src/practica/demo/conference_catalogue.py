"""What the demo's conference is made of: tracks, formats, rooms and review criteria by era,
and the phrase pools its proposals, reviews, statements and keynotes are written from.

Placeholders are those of `practica.demo.qa_writing.Writer.fill` ({topic}, {Topic}, {fw},
{gpu}, {model}, {n}, {year}, {customer}) plus {topic2}, {m}, {team}, {use} and {pct}, filled by
`practica.demo.conference_texts`.
"""

from dataclasses import dataclass

from practica.conference.models import SessionKind as K


@dataclass(frozen=True)
class TrackSpec:
    name: str
    description: str
    topics: tuple[str, ...]  # a proposal goes to the track of its first topic's nearest match
    since: int
    until: int = 9999  # the last year it ran (a track later split up)


TRACKS: tuple[TrackSpec, ...] = (
    TrackSpec(
        "Research",
        "New methods and results from the research groups, and what they could change.",
        ("machine-learning", "optimization", "bayesian-inference", "reinforcement-learning"),
        2014,
    ),
    TrackSpec(
        "Applied ML",
        "Machine learning inside the company's products: what worked, what did not, and why.",
        (
            "computer-vision",
            "speech",
            "information-retrieval",
            "time-series",
            "natural-language-processing",
            "statistics",
            "causal-inference",
        ),
        2014,
    ),
    TrackSpec(
        "Engineering",
        "Building, training and serving models at scale: platforms, pipelines, hardware.",
        ("mlops", "data-engineering", "distributed-training", "gpu-computing"),
        2014,
    ),
    TrackSpec(
        "Language",
        "Natural language processing, translation, search and language models.",
        ("natural-language-processing",),
        2016,
    ),
    TrackSpec(
        "Data Science",
        "Statistics, experimentation and causal inference behind product decisions.",
        ("statistics", "causal-inference", "time-series"),
        2017,
    ),
    TrackSpec(
        "MLOps",
        "Deploying, monitoring and operating models: from the first launch to the hundredth.",
        ("mlops", "model-deployment", "model-monitoring", "experiment-tracking"),
        2018,
    ),
    TrackSpec(
        "Responsible AI",
        "Fairness, interpretability, privacy and safety in the systems we ship.",
        ("responsible-ai",),
        2019,
    ),
    TrackSpec(
        "Generative AI",
        "Large language models, image generation and the products built on them.",
        ("large-language-models", "generative-models", "image-generation"),
        2023,
    ),
)


@dataclass(frozen=True)
class FormatSpec:
    kind: str
    name: str
    minutes: int
    since: int
    weight: int  # how often members propose it
    open_for_proposals: bool = True


FORMATS: tuple[FormatSpec, ...] = (
    FormatSpec(K.TALK, "Talk", 30, 2014, 62),
    FormatSpec(K.LIGHTNING, "Lightning talk", 10, 2015, 14),
    FormatSpec(K.TUTORIAL, "Tutorial", 90, 2014, 9),
    FormatSpec(K.POSTER, "Poster", 60, 2015, 9),
    FormatSpec(K.PANEL, "Panel", 45, 2016, 6),
    FormatSpec(K.KEYNOTE, "Keynote", 45, 2014, 0, open_for_proposals=False),
)

VENUE = "Conference Center, Redmond"
ONLINE_VENUE = "Online"
POSTER_VENUE = "Conference Center foyer"
# Halls of the conference centre, biggest first; an edition opens one per track.
HALLS: tuple[tuple[str, int], ...] = (
    ("Kodiak Hall", 600),
    ("Cascade Hall", 400),
    ("Rainier", 180),
    ("Olympic", 150),
    ("Baker", 120),
    ("Adams", 100),
    ("Hood", 90),
    ("Shasta", 80),
)
STAGES = ("Main stage", "Stage B", "Stage C", "Stage D", "Stage E", "Stage F", "Stage G")
POSTER_BOARDS = 8
ONLINE_YEARS = (2020, 2021)  # the editions of those years ran online

CRITERIA: tuple[tuple[str, str, str, int], ...] = (
    # (name, what to judge, weight, first year)
    ("Relevance", "Does it matter to the community's practitioners?", "2.00", 2014),
    ("Originality", "Something the audience has not heard everywhere else.", "1.00", 2014),
    ("Clarity", "Is it clear what the session covers and who it is for?", "1.00", 2014),
    ("Practical value", "Will people use what they learn in their own work?", "1.50", 2017),
)  # fmt: skip

# The season's conference: a Tuesday and Wednesday on or after these days.
SEASON_DAYS = {"Spring": (4, 20), "Autumn": (10, 12)}
FIRST_YEAR = 2014
ZONE = "America/Los_Angeles"
DESCRIPTION = (
    "The {community} community's own conference, {season} {year}: two days of talks, "
    "tutorials, lightning talks{posters} chosen by the program committee from the community's "
    "proposals, with keynotes from the company's leaders.\n\n"
    "Every member may propose a session while the call is open; members who volunteer review "
    "the proposals that match their expertise, and the committee decides."
)

USES = (
    "customer support", "document search", "fraud detection", "demand forecasting",
    "ads ranking", "the voice assistant", "code review", "product documentation",
    "capacity planning", "the shopping feed", "email triage", "meeting transcripts",
    "supply chain planning", "security alerts", "the help centre", "developer tools",
)  # fmt: skip

# Title patterns by session kind; {topic} is the first topic's name as it reads mid-sentence.
TITLES: dict[str, tuple[str, ...]] = {
    K.TALK: (
        "{Topic} in production: lessons from the {team} team",
        "What we learned shipping {topic} for {use}",
        "From prototype to production: {topic} with {fw}",
        "Scaling {topic} to {n} {gpu}s without losing our minds",
        "{Topic} for {use}: a year in review",
        "Evaluating {topic} beyond accuracy",
        "When {topic} meets {topic2}",
        "Debugging {topic}: the failures nobody writes papers about",
        "Cheaper, faster, just as good: {topic} on a budget",
        "How the {team} team rebuilt {use} around {topic}",
        "{Topic} with {model}: results from {use}",
        "Measuring what matters in {topic}",
        "Ten models later: {topic} on the {team} team",
        "The data behind our {topic} launch",
        "{Topic} and {topic2} in one system for {use}",
    ),
    K.LIGHTNING: (
        "Five things I wish I had known about {topic}",
        "{Topic} in ten minutes",
        "One change that halved our {topic} costs",
        "A tiny library for {topic} with {fw}",
        "The {topic} bug that cost us a week",
    ),
    K.TUTORIAL: (
        "Hands-on: {topic} with {fw}",
        "Tutorial: {topic} from zero to a deployed model",
        "{Topic} for practitioners: a guided notebook",
        "Build your first {topic} project on the shared cluster",
    ),
    K.POSTER: (
        "{Topic} for {use}: early results",
        "A benchmark for {topic} on company data",
        "{Topic} under distribution shift",
        "Lightweight {topic} with {model}",
    ),
    K.PANEL: (
        "Panel: where is {topic} going?",
        "Panel: {topic} in every product — hype or habit?",
        "Panel: research meets product in {topic}",
    ),
}

# Added after a title without one, most of the time.
SUBTITLES = (
    "lessons from {use}",
    "a case study from the {team} team",
    "what {year} taught us",
    "with {fw} and {model}",
    "a story from {use}",
    "from {n} to {m} {gpu}s",
    "results from {use}",
    "notes from the {team} team",
    "and what we would do differently",
    "a practitioner's view",
    "{pct}% better, and what it cost",
    "beyond the benchmark",
)
ABSTRACT_OPENINGS = (
    "Teams across the company rely on {topic} for {use}, but most of what makes it work in "
    "production is never written down.",
    "Two years ago the {team} team started using {topic} for {use}. This session is the story "
    "of what happened next.",
    "{Topic} looks simple on paper. On real data for {use} it was not, and we want to show why.",
    "Every few months someone asks on the list how to get started with {topic}. This is our "
    "answer, grounded in {use}.",
    "Most {topic} work we see stops at the offline metric. We wanted to know what happens after "
    "launch.",
)
ABSTRACT_MIDDLES = (
    "We built our system with {fw} on {n} {gpu}s, starting from {model}, and compared it with "
    "the approach it replaced on six months of traffic.",
    "We combine {topic} with {topic2}, and show where each helps and where it gets in the way.",
    "We cover the data work first (labelling, deduplication, leakage checks), then the model "
    "({model} with {fw}), then the serving side.",
    "The talk walks through three decisions we got wrong, what they cost, and how we noticed.",
    "We evaluated against the previous system with an online A/B test and a held-out set "
    "collected by the {team} team.",
)
ABSTRACT_RESULTS = (
    "The new system improved the main metric by {pct}% and cut serving cost by a third.",
    "Quality went up by {pct}% while latency stayed under 50 ms at the 99th percentile.",
    "We shipped it to every region; escalations dropped by {pct}% within a quarter.",
    "The honest result: {pct}% better offline, smaller gains online, and a lot learned.",
)
ABSTRACT_TAKEAWAYS: dict[str, tuple[str, ...]] = {
    K.TALK: (
        "You will leave with a checklist you can apply to your own {topic} project.",
        "Slides, code pointers and the evaluation set are shared after the session.",
        "Come if you work on {topic} or are about to; bring your questions.",
    ),
    K.LIGHTNING: ("Ten minutes, one idea, one link to the code.",),
    K.TUTORIAL: (
        "Bring a laptop: the notebook runs on the shared GPU cluster, no set-up needed.",
        "Hands-on throughout; you will train, evaluate and deploy a small model.",
    ),
    K.POSTER: ("Find us at the poster session over lunch on day two.",),
    K.PANEL: ("Panellists from research, engineering and product; bring your hardest questions.",),
}

REVIEW_PRAISE = (
    "A clear, well-scoped proposal; the {topic} results will interest many teams.",
    "Strong practical angle. Please include the numbers from production in the session.",
    "I would attend this. The comparison with the previous system is exactly what people need.",
    "Well written and honest about what did not work — rare and valuable.",
)
REVIEW_CONCERNS = (
    "The abstract promises a lot but does not say what the audience will learn.",
    "This overlaps with several {topic} sessions from the last edition; what is new?",
    "Too much for the format: consider focusing on one of the three parts.",
    "The results are thin so far; a poster may fit better than a talk.",
    "Please say who the session is for: the level is unclear from the abstract.",
)
REVIEW_TO_COMMITTEE = (
    "I know this work; the results hold up.",
    "Solid, but we already have several {topic} sessions in this track.",
    "Borderline for me. Happy to defer to the other reviewers.",
    "The speaker is new to the conference; worth encouraging.",
    "Strong accept: one of the best in my pile.",
    "I am not an expert on {topic}; lower confidence.",
)
DISCUSSION = (
    "Our scores are far apart on this one. What did you see that I did not?",
    "I read it again after the other reviews: I would move to a weak accept.",
    "The practical value convinced me; the novelty is modest but fine for this track.",
    "Could this work as a lightning talk instead? The core idea is small.",
    "Agree with the others; the evaluation needs more than one data set.",
)
STATEMENTS = (
    "I work on {topic} on the {team} team and am glad to review anything close to it.",
    "{Topic} and {topic2} are my day job; I can also review applied work around them.",
    "Reviewed for several editions. Happy to take {topic} proposals, and some outside my area.",
    "Researcher in {topic}; I prefer proposals with a clear evaluation.",
    "Engineer working on {topic} in production; I review for practical value.",
)
DECLARED_CONFLICT_REASONS = (
    "I advised the speakers on this project.",
    "Former teammate of the main speaker.",
    "We co-authored a paper on this last year.",
    "I am reviewing the same work for a product launch.",
)
KEYNOTES = (
    "The next ten years of machine learning at the company",
    "{Topic}: where we are and where we are going",
    "Machine learning in every product: {year} and beyond",
    "What the last year taught us about {topic}",
    "From research to a billion users: {topic}",
    "Why communities of practice matter more than org charts",
)
PANEL_LINKS = ("https://git.corp.example.com/{team_slug}/{slug}",)
