"""Budget and grant screens, mounted at /budget/ under the namespace "budget"."""

from django.urls import URLPattern

app_name = "budget"

urlpatterns: list[URLPattern] = []
