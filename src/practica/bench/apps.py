from django.apps import AppConfig


class BenchConfig(AppConfig):
    """App config for benchmarks."""

    name = "practica.bench"
    label = "bench"
