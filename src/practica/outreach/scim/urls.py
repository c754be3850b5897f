"""SCIM 2.0 endpoints, mounted at /scim/v2/."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
