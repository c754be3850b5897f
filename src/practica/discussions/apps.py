from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    """App config for discussions and Q&A."""

    name = "practica.discussions"
    label = "discussions"

    def ready(self) -> None:
        from practica.discussions.sections import register_sections

        register_sections()
