from django.apps import AppConfig


class MailConfig(AppConfig):
    """App config for the mail outbox."""

    name = "practica.mail"
    label = "mail"
