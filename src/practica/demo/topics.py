"""The machine-learning topic taxonomy every demo profile and community draws from."""

from typing import TYPE_CHECKING

from django.utils.text import slugify

from practica.core.models import Topic
from practica.core.tree import child_path, path_depth

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

# (name, children); a child is a name or another (name, children) pair.
TAXONOMY: list[tuple[str, list]] = [
    (
        "Machine learning",
        [
            "Supervised learning",
            ("Unsupervised learning", ["Clustering", "Dimensionality reduction"]),
            (
                "Deep learning",
                [
                    "Transformers",
                    "Convolutional networks",
                    "Graph neural networks",
                    "Generative models",
                    "Model compression",
                ],
            ),
            ("Reinforcement learning", ["Multi-armed bandits", "Offline reinforcement learning"]),
            "Bayesian inference",
            "AutoML",
            "Federated learning",
        ],
    ),
    (
        "Natural language processing",
        [
            "Machine translation",
            "Large language models",
            "Question answering",
            ("Information extraction", ["Named entity recognition"]),
            "Text classification",
            "Sentiment analysis",
            "Summarization",
            "Dialogue systems",
        ],
    ),
    (
        "Computer vision",
        [
            "Image classification",
            "Object detection",
            "Image segmentation",
            "Optical character recognition",
            "Video understanding",
            "3D vision",
            "Image generation",
        ],
    ),
    ("Speech", ["Speech recognition", "Speech synthesis", "Speaker recognition"]),
    (
        "Information retrieval",
        ["Search ranking", "Recommender systems", "Query understanding", "Knowledge graphs"],
    ),
    ("Time series", ["Forecasting", "Anomaly detection"]),
    ("Causal inference", ["A/B testing", "Uplift modeling"]),
    ("Statistics", ["Hypothesis testing", "Survival analysis", "Data visualization"]),
    ("Optimization", ["Convex optimization", "Stochastic gradient methods", "Operations research"]),
    (
        "Data engineering",
        ["Data pipelines", "Stream processing", "Data quality", "Feature stores", "Data lakes"],
    ),
    (
        "MLOps",
        [
            "Model deployment",
            "Model monitoring",
            "Experiment tracking",
            "Distributed training",
            "GPU computing",
        ],
    ),
    (
        "Responsible AI",
        ["Fairness", "Interpretability", "Differential privacy", "AI safety", "Robustness"],
    ),
]


def topic_slug(name: str) -> str:
    return slugify(name.replace("/", " "))


def build_topics(story: "DemoStory") -> None:
    """Insert the taxonomy level by level, so each parent has its id before its children."""
    level: list[tuple[Topic | None, str | tuple[str, list]]] = [(None, node) for node in TAXONOMY]
    while level:
        rows: list[Topic] = []
        below: list[tuple[Topic, list]] = []
        for parent, node in level:
            name, children = (node, []) if isinstance(node, str) else node
            slug = topic_slug(name)
            path = child_path(parent.path if parent else None, slug)
            topic = Topic(name=name, slug=slug, parent=parent, path=path, depth=path_depth(path))
            rows.append(topic)
            if children:
                below.append((topic, children))
        Topic.objects.bulk_create(rows)
        for topic in rows:
            story.topics[topic.slug] = topic
        level = [(topic, child) for topic, children in below for child in children]
