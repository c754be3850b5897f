"""Outreach screens: funnel."""

from django.urls import URLPattern

routes: list[URLPattern] = []
