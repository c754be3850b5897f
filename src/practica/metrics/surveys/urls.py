"""Pulse survey screens, mounted at /metrics/pulses/ under the namespace "metrics"."""

from django.urls import URLPattern, path

from practica.metrics.surveys import views

urlpatterns: list[URLPattern] = [
    path("c/<slug:slug>/", views.pulse_list, name="pulse_list"),
    path("c/<slug:slug>/new/", views.pulse_schedule, name="pulse_schedule"),
    path("<int:pk>/", views.pulse_detail, name="pulse_detail"),
    path("<int:pk>/cancel/", views.pulse_cancel, name="pulse_cancel"),
    path("answer/<str:token>/", views.pulse_answered, name="pulse_answered"),
    path("answer/<str:token>/<str:score>/", views.pulse_answer, name="pulse_answer"),
]
