"""Outreach screens: provisioning."""

from django.urls import URLPattern

routes: list[URLPattern] = []
