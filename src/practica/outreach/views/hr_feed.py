"""Outreach screens: hr_feed."""

from django.urls import URLPattern

routes: list[URLPattern] = []
