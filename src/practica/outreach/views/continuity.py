"""Outreach screens: continuity."""

from django.urls import URLPattern

routes: list[URLPattern] = []
