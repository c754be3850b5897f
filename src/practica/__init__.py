"""Practica: the platform a company runs its internal communities of practice on."""

from practica.celery import app as celery_app

__all__ = ["celery_app"]
