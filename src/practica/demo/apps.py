from django.apps import AppConfig


class DemoConfig(AppConfig):
    """App config for the demo community."""

    name = "practica.demo"
    label = "demo"
