from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    """App config for discussions and Q&A."""

    name = "practica.discussions"
    label = "discussions"
