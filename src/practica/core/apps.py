from django.apps import AppConfig


class CoreConfig(AppConfig):
    """App config for the shared kernel."""

    name = "practica.core"
    label = "core"
