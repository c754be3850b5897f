from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Events, registration and waitlists, attendance, materials, feedback and AMA boards."""

    name = "practica.events"
    label = "events"

    def ready(self) -> None:
        from practica.events.sections import register_sections

        register_sections()

        from practica.communities.continuity import register_ownership_provider
        from practica.events.ownership import HostedEventOwnership, SeriesOwnership

        register_ownership_provider(SeriesOwnership())
        register_ownership_provider(HostedEventOwnership())

        from practica.events.calendar_source import register_event_calendar_source

        register_event_calendar_source()
