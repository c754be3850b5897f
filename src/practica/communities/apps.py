from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    """App config for communities and memberships."""

    name = "practica.communities"
    label = "communities"
