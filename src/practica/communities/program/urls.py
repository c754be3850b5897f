"""The program screens (directory, calendar, dashboard), mounted at /programs/ under the
namespace "programs"."""

from django.urls import URLPattern

app_name = "programs"

urlpatterns: list[URLPattern] = []
