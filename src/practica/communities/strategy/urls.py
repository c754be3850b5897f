"""The community strategy screens, added to communities/urls.py (namespace "communities")."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
