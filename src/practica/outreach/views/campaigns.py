"""Outreach screens: campaigns."""

from django.urls import URLPattern

routes: list[URLPattern] = []
