from django.apps import AppConfig


class MetricsConfig(AppConfig):
    """App config for the community's numbers: metric definitions, rollups, surveys, dashboards."""

    name = "practica.metrics"
    label = "metrics"
    verbose_name = "Metrics"

    def ready(self) -> None:
        # Strategy targets and the program dashboard (in communities) read live values through
        # the registry there; metrics stands after every app, so it registers, never the reverse.
        from practica.metrics.target_metrics import register_target_metrics

        register_target_metrics()
