"""A generated machine-learning Q&A corpus for `practica bench search`, written with bulk inserts.

Text is drawn from an ML vocabulary with a Zipf-like spread (a few words such as "model" and
"training" are everywhere, most terms are rare), in English with some Chinese posts, so queries
meet the same mix of broad and narrow terms a real community's archive has.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

ML_TERMS = (  # noqa: SIM905 - a word list reads better as text
    "model training data loss gradient learning rate batch size epoch overfitting "
    "regularization dropout transformer attention embedding tokenizer pytorch tensorflow jax "
    "keras scikit-learn xgboost lightgbm catboost pandas numpy cuda gpu tpu memory inference "
    "latency quantization distillation pruning fine-tuning pretraining bert gpt llama mistral "
    "t5 roberta clip diffusion gan vae autoencoder cnn rnn lstm gru resnet vit unet yolo "
    "segmentation detection classification regression clustering kmeans dbscan pca tsne umap "
    "feature engineering hyperparameter optuna grid search bayesian optimization "
    "cross-validation precision recall f1 auc roc calibration imbalance smote augmentation "
    "normalization batchnorm layernorm adam sgd momentum scheduler warmup cosine checkpoint "
    "serving onnx tensorrt triton kubernetes docker mlflow wandb airflow kubeflow sagemaker "
    "vertex spark dask ray parquet feature-store drift monitoring a/b experiment causal "
    "inference uplift forecasting arima prophet time-series anomaly recommendation ranking "
    "retrieval rag vector database faiss pinecone prompt hallucination rlhf lora peft adapter "
    "mixed-precision fp16 bf16 deepspeed fsdp distributed sharding nccl allreduce "
    "reinforcement policy reward bandit q-learning ppo graph gnn knowledge ocr speech asr tts "
    "whisper translation summarization sentiment ner entity labeling annotation "
    "active-learning few-shot zero-shot contrastive self-supervised metric-learning "
    "explainability shap lime fairness bias privacy federated differential evaluation "
    "benchmark leakage baseline ablation convergence vanishing exploding nan underflow seed "
    "reproducibility notebook jupyter pipeline etl sql latency throughput cache vllm kv-cache "
    "beam sampling temperature perplexity bleu rouge "
).split()
FILLER = (  # noqa: SIM905 - a word list reads better as text
    "the a we our when with for in on to how why is it this that after before using my team "
    "customer production cluster job run fails slow works better worse than about each every "
    "new old large small first again still only also just some many most our their "
).split()
VERBS = (  # noqa: SIM905 - a word list reads better as text
    "train tune deploy debug evaluate scale serve speed up reduce fix compare choose monitor "
    "profile export load shard quantize validate label "
).split()
CHINESE = [
    "模型训练",
    "学习率",
    "显存不足",
    "数据增强",
    "推理速度",
    "过拟合",
    "损失函数",
    "梯度消失",
    "分布式训练",
    "向量数据库",
    "大语言模型",
    "微调",
]
CHINESE_FILLER = ["我们", "在", "使用", "的时候", "遇到", "问题", "请问", "如何", "解决", "谢谢"]
QUESTION_TEMPLATES = [
    "How do I {verb} {a} {b} model with {c}?",
    "Why does {a} {verb} so slowly on {c}?",
    "{a} vs {b} for {c}: which one should we use?",
    "Best way to {verb} {a} when {b} is {c}?",
    "{a} loss becomes nan with {b}",
    "Advice on {a} and {b} in production",
]


def zipf_weights(count: int, exponent: float = 0.7) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(count)]


@dataclass
class TextGenerator:
    rng: random.Random
    terms: list[str] = field(default_factory=lambda: list(ML_TERMS))

    def __post_init__(self) -> None:
        self.rng.shuffle(self.terms[20:])
        self.cumulative = list(_accumulate(zipf_weights(len(self.terms))))

    def term(self) -> str:
        return self.rng.choices(self.terms, cum_weights=self.cumulative, k=1)[0]

    def title(self) -> str:
        template = self.rng.choice(QUESTION_TEMPLATES)
        a, b, c = self.term(), self.term(), self.term()
        return template.format(verb=self.rng.choice(VERBS), a=a, b=b, c=c).capitalize()[:200]

    def sentence(self) -> str:
        rng = self.rng
        words = [rng.choice(FILLER) for _ in range(rng.randint(5, 10))]
        for _ in range(rng.randint(1, 2)):
            words.insert(rng.randrange(len(words) + 1), self.term())
        words.insert(rng.randrange(len(words) + 1), rng.choice(VERBS))
        return " ".join(words).capitalize() + "."

    def body(self, sentences: int) -> str:
        if not hasattr(self, "pool"):
            # Drawing whole sentences from a pool keeps generation fast for 200,000 posts.
            self.pool = [self.sentence() for _ in range(20_000)]
        text = " ".join(self.rng.choices(self.pool, k=sentences))
        if self.rng.random() < 0.2:
            text += f" `{self.term()}.{self.rng.choice(VERBS)}()` returns an error."
        return text

    def chinese_title(self) -> str:
        rng = self.rng
        return f"{rng.choice(CHINESE_FILLER)}{rng.choice(CHINESE)}{rng.choice(CHINESE_FILLER)}"

    def chinese_body(self) -> str:
        rng = self.rng
        parts = [rng.choice(CHINESE_FILLER + CHINESE) for _ in range(rng.randint(8, 20))]
        return "".join(parts) + f"，{self.term()} 怎么办？"


def _fast_insert(model, objects: list) -> None:  # type: ignore[no-untyped-def]
    """Plain INSERTs with the objects' own ids: far faster than bulk_create for 200,000 rows."""
    from django.core.management.color import no_style
    from django.db import connection, models

    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - the model's own
    adapt = connection.ops.adapt_datetimefield_value
    dated = [isinstance(f, models.DateTimeField) for f in fields]
    names = [f.attname for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objects), 5000):
            rows = [
                tuple(
                    adapt(getattr(obj, name)) if is_date else getattr(obj, name)
                    for name, is_date in zip(names, dated, strict=True)
                )
                for obj in objects[start : start + 5000]
            ]
            cursor.executemany(sql, rows)
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)


def _accumulate(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


@dataclass
class Corpus:
    member: object
    communities: list
    closed_communities: list
    topics: list
    org_units: list
    posts: int
    threads: int
    oldest: datetime


def build_corpus(*, posts: int, seed: int) -> Corpus:  # noqa: PLR0915 - one story, in order
    """People, communities, topics, threads and posts, then the search index, all in bulk."""
    from practica.communities.models import Access, Community, Membership, MembershipRole
    from practica.core.models import Topic
    from practica.core.search import IndexedDocument, bulk_index_documents, optimize_index
    from practica.discussions.models import Post, Thread, ThreadKind, ThreadState
    from practica.discussions.search import (
        OPENING,
        OPENS_QUESTION,
        SOURCE,
        _path_prefixes,
        thread_tags,
    )
    from practica.people.models import OrgUnit, OrgUnitKind, User

    rng = random.Random(seed)
    text = TextGenerator(rng)
    now = timezone.now()
    oldest = now - timedelta(days=5 * 365)
    with transaction.atomic():
        org_units = []
        for d in range(3):
            division = OrgUnit.objects.create(
                name=f"Division {d}", slug=f"div-{d}", kind=OrgUnitKind.DIVISION, path=f"/div-{d}/"
            )
            org_units.append(division)
            for g in range(4):
                group = OrgUnit.objects.create(
                    name=f"Group {d}.{g}",
                    slug=f"grp-{d}-{g}",
                    kind=OrgUnitKind.GROUP,
                    parent=division,
                    path=f"{division.path}grp-{d}-{g}/",
                    depth=1,
                )
                org_units.append(group)
        people = User.objects.bulk_create(
            User(
                email=f"person{n}@bench.example",
                display_name=f"Person {n}",
                org_unit=rng.choice(org_units),
                password="!",  # noqa: S106 - an unusable password
            )
            for n in range(max(50, min(2000, posts // 50)))
        )
        communities = [
            Community.objects.create(
                name=f"Bench community {n}",
                slug=f"bench-{n}",
                access=Access.CLOSED if n >= 6 else Access.OPEN,
            )
            for n in range(8)
        ]
        closed = [c for c in communities if c.access == Access.CLOSED]
        member = people[0]
        Membership.objects.bulk_create(
            Membership(community=c, person=member, role=MembershipRole.MEMBER)
            for c in (communities[0], communities[1], closed[0])
        )
        topics = []
        for name in ["nlp", "vision", "mlops", "tabular", "recsys", "speech"]:
            parent = Topic.objects.create(name=name.upper(), slug=name, path=f"/{name}/")
            topics.append(parent)
            for k in range(3):
                topics.append(
                    Topic.objects.create(
                        name=f"{name} {k}",
                        slug=f"{name}-{k}",
                        parent=parent,
                        path=f"/{name}/{name}-{k}/",
                        depth=1,
                    )
                )
        span = (now - oldest).total_seconds()
        thread_rows, post_specs = [], []
        remaining = posts
        while remaining > 0:
            size = min(remaining, rng.randint(1, 9))
            remaining -= size
            created = oldest + timedelta(seconds=span * (len(thread_rows) / max(1, posts / 5)))
            chinese = rng.random() < 0.03
            answers = size - 1
            state = (
                ThreadState.OPEN
                if answers == 0
                else rng.choice([ThreadState.ANSWERED, ThreadState.ACCEPTED])
            )
            thread_rows.append(
                Thread(
                    pk=len(thread_rows) + 1,
                    community=rng.choice(communities),
                    kind=ThreadKind.QUESTION if rng.random() < 0.8 else ThreadKind.DISCUSSION,
                    title=text.chinese_title() if chinese else text.title(),
                    author=rng.choice(people),
                    state=state,
                    created_at=created,
                    last_activity_at=created,
                    answer_count=answers,
                )
            )
            post_specs.append((size, chinese))
        _fast_insert(Thread, thread_rows)
        through = Thread.topics.through
        through.objects.bulk_create(
            (through(thread_id=t.pk, topic_id=rng.choice(topics).pk) for t in thread_rows),
            batch_size=5000,
        )
        post_rows = []
        for thread, (size, chinese) in zip(thread_rows, post_specs, strict=True):
            for n in range(size):
                author = thread.author if n == 0 else rng.choice(people)
                body = text.chinese_body() if chinese else text.body(rng.randint(2, 12))
                post_rows.append(
                    Post(
                        pk=len(post_rows) + 1,
                        thread=thread,
                        author=author,
                        is_opening=n == 0,
                        body=body,
                        created_at=thread.created_at + timedelta(minutes=37 * n),
                        author_org_unit_id=author.org_unit_id,
                    )
                )
        _fast_insert(Post, post_rows)
    units = {unit.pk: unit.path for unit in org_units}
    topic_of = {row.thread_id: row.topic.path for row in through.objects.select_related("topic")}
    thread_tags_of = {
        thread.pk: thread_tags(thread, [topic_of[thread.pk]]) for thread in thread_rows
    }
    with transaction.atomic():
        bulk_index_documents(
            IndexedDocument(
                source=SOURCE,
                object_id=post.pk,
                group_id=post.thread.pk,
                created_at=post.created_at,
                title=post.thread.title,
                body=post.body,
                tags=(
                    *thread_tags_of[post.thread.pk],
                    *[f"org:{p}" for p in _path_prefixes(units.get(post.author_org_unit_id, ""))],
                    *([OPENING] if post.is_opening else []),
                    *(
                        [OPENS_QUESTION]
                        if post.is_opening and post.thread.kind == ThreadKind.QUESTION
                        else []
                    ),
                ),
            )
            for post in post_rows
        )
    optimize_index()
    return Corpus(
        member=member,
        communities=communities,
        closed_communities=closed,
        topics=topics,
        org_units=org_units,
        posts=len(post_rows),
        threads=len(thread_rows),
        oldest=oldest,
    )
