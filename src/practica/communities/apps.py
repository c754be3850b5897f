from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    """App config for communities and memberships."""

    name = "practica.communities"
    label = "communities"

    def ready(self) -> None:
        from practica.communities.sections import register_sections

        register_sections()

        from practica.communities.continuity import register_ownership_provider
        from practica.communities.group_ownership import GroupOwnership

        register_ownership_provider(GroupOwnership())
