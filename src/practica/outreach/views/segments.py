"""Outreach screens: segments."""

from django.urls import URLPattern

routes: list[URLPattern] = []
