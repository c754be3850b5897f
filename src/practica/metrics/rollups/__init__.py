"""Rollups."""
