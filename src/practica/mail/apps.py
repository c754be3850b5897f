from django.apps import AppConfig


class MailConfig(AppConfig):
    """App config for mail: the outbox, the lists, mail in and bounces."""

    name = "practica.mail"
    label = "mail"

    def ready(self) -> None:
        from practica.mail.sections import register_sections

        register_sections()
