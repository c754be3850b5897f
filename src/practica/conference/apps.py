from django.apps import AppConfig


class ConferenceConfig(AppConfig):
    """The twice-yearly conference: editions, the call, reviewing, decisions and the program."""

    name = "practica.conference"
    label = "conference"

    def ready(self) -> None:
        from practica.communities.continuity import register_ownership_provider
        from practica.conference.ownership import CommitteeSeatOwnership

        register_ownership_provider(CommitteeSeatOwnership())
