from django.apps import AppConfig


class ConferenceConfig(AppConfig):
    """The twice-yearly conference: editions, the call, reviewing, decisions and the program."""

    name = "practica.conference"
    label = "conference"
