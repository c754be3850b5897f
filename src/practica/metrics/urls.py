"""The metrics screens, mounted at /metrics/ under the namespace "metrics": dashboards (community,
program, this month, monthly report, CSV) and pulse surveys."""

from django.urls import include, path

from practica.metrics.dashboards import urls as dashboard_urls
from practica.metrics.surveys import urls as survey_urls

app_name = "metrics"

urlpatterns = [
    path("", include(dashboard_urls)),
    path("pulses/", include(survey_urls)),
]
