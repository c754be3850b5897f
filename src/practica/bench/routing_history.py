"""A generated Q&A history for `practica bench routing`, written with bulk inserts.

The generator's model of who answers is its own process, not the ranker's formula:

- Each member has *true* interests (1–4 leaf topics, mostly in their division's favoured
  areas), an activity level (log-normal; a quarter are lurkers who rarely answer), an office
  (time zone) and an org unit. Their *listed* expertise is a noisy copy of the truth: each true
  interest is listed with probability 0.55, listed as its parent area with 0.15, or not at all;
  a third of members also list one topic they do not really follow.
- A question is asked at a time drawn in the asker's local working day, about a leaf topic
  (half from the asker's own areas, half by topic popularity); it is tagged with the leaf,
  sometimes only with its parent area, sometimes with a second leaf.
- Its number of answers is 0 (12 %) or 1 + Poisson(0.9). Answerers are drawn without
  replacement with weight activity × affinity × awake × busy × noise, where affinity is 1 for
  a true interest, 0.15 for another leaf of an area they follow, 0.01 otherwise; awake is the
  answerer's local time at the question (1 at work, 0.4 early/late, 0.25 weekend daytime,
  0.04 at night); busy = 1 / (1 + 0.7 × answers they gave in about the last day); noise is
  log-normal (σ 0.6) per member and question.
- Texts are word mixes: question = leaf words, area words and general words; answer = leaf,
  area, general and the answerer's own habitual words. Words are pseudo-words per topic, plus
  some shared across topics, so TF-IDF is informative but imperfect.

Every time stamp is chronological with the rows' ids (posts are inserted in time order).
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

AREAS = {
    "NLP": ["Machine translation", "Speech", "Search ranking", "Chatbots", "Tokenization"],
    "Computer vision": ["Detection", "Segmentation", "OCR", "Video", "3D"],
    "Cloud": ["Kubernetes", "Serverless", "Networking", "Cost", "Observability"],
    "Data engineering": ["Spark", "Streaming", "Warehouses", "Data quality", "Orchestration"],
    "Security": ["Identity", "Secrets", "Threat modeling", "Compliance", "Cryptography"],
    "Mobile": ["Android", "iOS", "Offline sync", "Mobile performance", "App release"],
    "Databases": ["PostgreSQL", "Indexing", "Replication", "Migrations", "Caching"],
    "MLOps": ["Model serving", "Feature stores", "Experiment tracking", "GPUs", "Monitoring"],
}
OFFICES = [
    ("Europe/Berlin", "Berlin", 1),
    ("Asia/Shanghai", "Beijing", 8),
    ("America/New_York", "New York", -5),
    ("Asia/Kolkata", "Bangalore", 5.5),
    ("America/Los_Angeles", "San Francisco", -8),
    ("Europe/London", "London", 0),
]
DIVISIONS = 5
GROUPS_PER_DIVISION = 4
SYLLABLES = [
    c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou", "an", "er")
]
GENERAL_WORDS = 300
STYLE_POOL = 3000
START = datetime(2023, 1, 2, tzinfo=UTC)
THREAD_COLUMNS = [
    "community_id", "kind", "title", "author_id", "state", "is_urgent", "is_locked", "is_hidden",
    "created_at", "last_activity_at", "first_response_at", "first_response_seconds",
    "answer_count", "score", "view_count",
]  # fmt: skip
#: An unusable password hash (Django's marker prefix): nobody signs in as a bench member.
UNUSABLE = "!bench"


@dataclass
class History:
    members: int
    community_id: int
    topic_ids: list[int]
    questions: list[dict] = field(default_factory=list)  # time order: id, at, asker, topics
    answerers: dict[int, set[int]] = field(default_factory=dict)  # thread id → people
    answers: int = 0


def _insert(model, columns: list[str], rows: list[tuple], chunk: int = 5000) -> None:
    """Plain INSERTs (executemany): much faster than bulk_create for tens of thousands of rows.
    Date-times and JSON are prepared by their fields; every other value goes as it is."""
    from django.db import connection, transaction
    from django.db.models import DateTimeField, JSONField

    fields = [model._meta.get_field(column.removesuffix("_id")) for column in columns]
    prepare = [i for i, f in enumerate(fields) if isinstance(f, DateTimeField | JSONField)]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (quoted names from _meta)
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            batch = []
            for row in rows[start : start + chunk]:
                values = list(row)
                for i in prepare:
                    values[i] = fields[i].get_db_prep_save(values[i], connection)
                batch.append(values)
            cursor.executemany(sql, batch)


def _words(rng: np.random.Generator, count: int, taken: set[str]) -> list[str]:
    words: list[str] = []
    while len(words) < count:
        word = "".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 4))))
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


_CDF: dict[int, np.ndarray] = {}


def _zipf(rng: np.random.Generator, vocabulary: list[str], count: int) -> list[str]:
    """`count` words of `vocabulary`, the i-th one with probability ∝ 1 / i."""
    cdf = _CDF.get(len(vocabulary))
    if cdf is None:
        weights = 1 / np.arange(1, len(vocabulary) + 1)
        cdf = _CDF[len(vocabulary)] = np.cumsum(weights) / weights.sum()
    picks = np.minimum(np.searchsorted(cdf, rng.random(count)), len(vocabulary) - 1)
    return [vocabulary[i] for i in picks]


def _text(rng, parts: list[tuple[list[str], float]], length: int) -> str:
    shares = np.array([share for _, share in parts])
    counts = rng.multinomial(length, shares / shares.sum())
    words: list[str] = []
    for (vocabulary, _), n in zip(parts, counts, strict=True):
        if n and vocabulary:
            words += _zipf(rng, vocabulary, int(n))
    rng.shuffle(words)
    return " ".join(words)


def generate(*, members: int, questions: int, seed: int) -> History:  # noqa: PLR0915
    """Write the people, topics, community, questions and answers; return the ground truth."""
    from practica.communities.models import Community, Membership
    from practica.core.models import Topic
    from practica.discussions.models import DiscussionPreferences, Post, QASettings, Thread
    from practica.people.models import OrgUnit, OrgUnitKind, User

    rng = np.random.default_rng(seed)
    taken: set[str] = set()
    general = _words(rng, GENERAL_WORDS, taken)
    style_pool = _words(rng, STYLE_POOL, taken)

    # Topics: areas and their leaves, each with its own words (a few borrowed across topics).
    leaves: list[tuple[int, int]] = []  # (leaf index, area index)
    area_rows, leaf_rows = [], []
    for a, (area, names) in enumerate(AREAS.items()):
        area_rows.append(Topic(name=area, slug=f"rb-{a}", path=f"/rb-{a}/", depth=0))
        for name in names:
            leaf_rows.append((a, name))
    Topic.objects.bulk_create(area_rows)
    area_topics = list(Topic.objects.filter(slug__startswith="rb-").order_by("slug"))
    area_topics.sort(key=lambda t: int(t.slug[3:]))
    leaf_topics = []
    for i, (a, name) in enumerate(leaf_rows):
        parent = area_topics[a]
        slug = f"rb-{a}-{i}"
        leaf_topics.append(
            Topic(name=name, slug=slug, parent=parent, path=f"{parent.path}{slug}/", depth=1)
        )
        leaves.append((i, a))
    leaf_topics = Topic.objects.bulk_create(leaf_topics)
    leaf_ids = [t.pk for t in Topic.objects.filter(depth=1, slug__startswith="rb-").order_by("pk")]
    area_ids = [t.pk for t in area_topics]
    n_leaves, n_areas = len(leaf_ids), len(area_ids)
    leaf_area = np.array([a for _, a in leaves])
    area_words = [_words(rng, 30, taken) for _ in range(n_areas)]
    leaf_words = [_words(rng, 40, taken) for _ in range(n_leaves)]
    for i in range(n_leaves):  # some words are shared with other topics
        others = rng.choice(n_leaves, size=5)
        leaf_words[i] += [leaf_words[j][int(rng.integers(0, 20))] for j in others if j != i]
    popularity = rng.dirichlet(np.full(n_leaves, 0.8))

    # Org chart.
    units = []
    for d in range(DIVISIONS):
        units.append(
            OrgUnit(
                name=f"Division {d}",
                slug=f"rb-d{d}",
                kind=OrgUnitKind.DIVISION,
                path=f"/rb-d{d}/",
                depth=0,
            )
        )
        for g in range(GROUPS_PER_DIVISION):
            units.append(
                OrgUnit(
                    name=f"Group {d}.{g}",
                    slug=f"rb-d{d}-g{g}",
                    kind=OrgUnitKind.GROUP,
                    path=f"/rb-d{d}/rb-d{d}-g{g}/",
                    depth=1,
                )
            )
    OrgUnit.objects.bulk_create(units)
    group_ids = {
        unit.slug: unit.pk for unit in OrgUnit.objects.filter(depth=1, slug__startswith="rb-d")
    }

    # Members: division, group, office, true interests, listed expertise, activity, style.
    division = rng.integers(0, DIVISIONS, size=members)
    favoured = [rng.choice(n_areas, size=2, replace=False) for _ in range(DIVISIONS)]
    home_office = rng.integers(0, len(OFFICES), size=DIVISIONS)
    office = np.where(
        rng.random(members) < 0.6, home_office[division], rng.integers(0, len(OFFICES), members)
    )
    activity = rng.lognormal(0.0, 1.3, size=members) * np.where(
        rng.random(members) < 0.25, 0.05, 1.0
    )
    interests = np.zeros((members, n_leaves), dtype=bool)
    listed: list[set[int]] = []
    for m in range(members):
        count = int(rng.integers(1, 5))
        for _ in range(count):
            if rng.random() < 0.7:
                area = favoured[division[m]][int(rng.integers(0, 2))]
                choices = np.nonzero(leaf_area == area)[0]
                leaf = int(rng.choice(choices, p=popularity[choices] / popularity[choices].sum()))
            else:
                leaf = int(rng.choice(n_leaves, p=popularity))
            interests[m, leaf] = True
        shown: set[int] = set()
        for leaf in np.nonzero(interests[m])[0].tolist():
            roll = rng.random()
            if roll < 0.55:
                shown.add(leaf_ids[leaf])
            elif roll < 0.70:
                shown.add(area_ids[leaf_area[leaf]])
        if rng.random() < 0.33:
            shown.add(leaf_ids[int(rng.integers(0, n_leaves))])
        listed.append(shown)
    follows_area = np.zeros((members, n_areas), dtype=bool)
    for a in range(n_areas):
        follows_area[:, a] = interests[:, leaf_area == a].any(axis=1)
    style_index = rng.integers(0, STYLE_POOL, size=(members, 15))
    style = [[style_pool[i] for i in row] for row in style_index]

    users = [
        User(
            email=f"rb{m}@example.com",
            display_name=f"Member {m}",
            password=UNUSABLE,
            org_unit_id=group_ids[
                f"rb-d{division[m]}-g{int(rng.integers(0, GROUPS_PER_DIVISION))}"
            ],
            time_zone=OFFICES[office[m]][0],
            location=OFFICES[office[m]][1],
            career_level=int(rng.integers(1, 11)),
            date_joined=START,
        )
        for m in range(members)
    ]
    User.objects.bulk_create(users, batch_size=2000)
    user_ids = list(
        User.objects.filter(email__startswith="rb").order_by("pk").values_list("pk", flat=True)
    )
    community = Community.objects.create(name="Routing bench", slug="routing-bench")
    QASettings.objects.create(community=community)
    _insert(
        Membership,
        ["community_id", "person_id", "role", "source", "joined_at", "left_reason"],
        [(community.pk, pk, "member", "import", START, "") for pk in user_ids],
    )
    _insert(
        User.expertise.through,
        ["user_id", "topic_id"],
        [(user_ids[m], t) for m in range(members) for t in listed[m]],
    )
    preferences = []
    for m in range(members):
        roll = rng.random()
        if roll < 0.03:
            preferences.append(DiscussionPreferences(person_id=user_ids[m], routing_opt_out=True))
        elif roll < 0.23:
            preferences.append(
                DiscussionPreferences(
                    person_id=user_ids[m],
                    quiet_hours_start=datetime(2000, 1, 1, 22).time(),
                    quiet_hours_end=datetime(2000, 1, 1, 7).time(),
                )
            )
    DiscussionPreferences.objects.bulk_create(preferences, batch_size=2000)

    # Questions, in time order, each asked in the asker's local working day.
    offsets = np.array([OFFICES[o][2] for o in office], dtype=float)
    ask_weight = 0.3 + np.sqrt(activity)
    askers = rng.choice(members, size=questions, p=ask_weight / ask_weight.sum())
    days = np.sort(rng.uniform(0, 730, size=questions).astype(int))
    local_hours = np.clip(rng.normal(13, 3, size=questions), 7, 22)
    moments = [
        START + timedelta(days=int(day), hours=float(hour - offsets[asker]))
        for day, hour, asker in zip(days, local_hours, askers, strict=True)
    ]
    order = np.argsort(np.array([m.timestamp() for m in moments]))

    history = History(members=members, community_id=community.pk, topic_ids=leaf_ids + area_ids)
    recent = np.zeros(members)
    last_time = None
    thread_rows: list[tuple] = []
    topic_links: list[list[int]] = []
    post_rows: list[tuple] = []
    answerers_of: list[set[int]] = []
    for q in order:
        at = moments[q]
        asker = int(askers[q])
        own = np.nonzero(interests[asker])[0]
        if rng.random() < 0.5 and own.size:
            area = leaf_area[int(rng.choice(own))]
            choices = np.nonzero(leaf_area == area)[0]
            leaf = int(rng.choice(choices, p=popularity[choices] / popularity[choices].sum()))
        else:
            leaf = int(rng.choice(n_leaves, p=popularity))
        roll = rng.random()
        tags = [leaf_ids[leaf]]
        if roll < 0.15:
            tags = [area_ids[leaf_area[leaf]]]
        elif roll < 0.25:
            tags.append(leaf_ids[int(rng.integers(0, n_leaves))])
        mix = [(leaf_words[leaf], 0.5), (area_words[leaf_area[leaf]], 0.2), (general, 0.3)]
        title = _text(rng, mix, int(rng.integers(6, 11)))
        body = _text(rng, mix, int(rng.integers(15, 31)))

        # Who answers: the generator's own process (see the module docstring).
        if last_time is not None:
            recent *= math.exp(-(at - last_time).total_seconds() / 86400)
        last_time = at
        n_answers = 0 if rng.random() < 0.12 else min(1 + int(rng.poisson(0.9)), 6)
        chosen: list[int] = []
        if n_answers:
            affinity = np.where(
                interests[:, leaf], 1.0, np.where(follows_area[:, leaf_area[leaf]], 0.15, 0.01)
            )
            clock = at.hour + at.minute / 60 + offsets
            local = clock % 24
            weekday = (at.weekday() + np.floor(clock / 24)) % 7 < 5
            awake = np.where(
                (local >= 9) & (local < 18),
                np.where(weekday, 1.0, 0.25),
                np.where((local >= 7) & (local < 22), np.where(weekday, 0.4, 0.1), 0.04),
            )
            weight = activity * affinity * awake / (1 + 0.7 * recent)
            weight *= rng.lognormal(0, 0.6, size=members)
            weight[asker] = 0
            chosen = [
                int(m)
                for m in rng.choice(members, size=n_answers, replace=False, p=weight / weight.sum())
            ]
        index = len(thread_rows)
        post_rows.append((at, index, asker, body, True))
        delays = []
        for m in chosen:
            recent[m] += 1
            delay = timedelta(hours=float(rng.lognormal(math.log(1.5), 1.0)))
            delays.append(delay)
            answer = _text(
                rng,
                [
                    (leaf_words[leaf], 0.35),
                    (area_words[leaf_area[leaf]], 0.15),
                    (style[m], 0.15),
                    (general, 0.35),
                ],
                int(rng.integers(20, 51)),
            )
            post_rows.append((at + delay, index, m, answer, False))
        first = min(delays) if delays else None
        thread_rows.append(
            (
                community.pk,
                "question",
                title[:200],
                user_ids[asker],
                "answered" if chosen else "open",
                False,
                False,
                False,
                at,
                at + max(delays) if delays else at,
                at + first if first else None,
                int(first.total_seconds()) if first else None,
                len(chosen),
                0,
                0,
            )
        )
        answerers_of.append({user_ids[m] for m in chosen})
        topic_links.append(tags)

    _insert(Thread, THREAD_COLUMNS, thread_rows)
    thread_ids = list(
        Thread.objects.filter(community=community).order_by("pk").values_list("pk", flat=True)
    )
    _insert(
        Thread.topics.through,
        ["thread_id", "topic_id"],
        [(thread_ids[i], t) for i, tags in enumerate(topic_links) for t in set(tags)],
    )
    post_rows.sort(key=lambda row: (row[0], not row[4]))
    _insert(
        Post,
        [
            "thread_id",
            "author_id",
            "is_opening",
            "body",
            "body_html",
            "created_at",
            "score",
            "is_hidden",
        ],
        [
            (thread_ids[i], user_ids[m], opening, body, f"<p>{body}</p>", at, 0, False)
            for at, i, m, body, opening in post_rows
        ],
    )
    for i, row in enumerate(thread_rows):
        history.questions.append(
            {
                "id": thread_ids[i],
                "at": row[THREAD_COLUMNS.index("created_at")],
                "asker": row[THREAD_COLUMNS.index("author_id")],
                "topics": sorted(set(topic_links[i])),
            }
        )
        history.answerers[thread_ids[i]] = answerers_of[i]
    history.answers = sum(len(a) for a in answerers_of)
    return history
