from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """App config for people and organisation."""

    name = "practica.people"
    label = "people"
