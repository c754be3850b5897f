from django.apps import AppConfig


class APIConfig(AppConfig):
    """App config for the HTTP API."""

    name = "practica.api"
    label = "api"
