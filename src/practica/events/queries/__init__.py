"""Reads of the `events` app, reused by views, API and metrics."""
