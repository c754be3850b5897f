"""Registers the platform's metrics as strategy-target metrics (see
`practica.communities.target_metrics`). Filled in by the metric definitions."""


def register_target_metrics() -> None:
    """Register every metric a strategy target can be bound to."""
