"""The dashboards read rollups: the demo builds them once everything else is in."""

from typing import TYPE_CHECKING

from practica.metrics.rollups.build import rebuild_rollups

if TYPE_CHECKING:
    from practica.demo.story import DemoStory


def build_rollups(story: "DemoStory") -> None:
    """Rebuild every community's rollups from the rows the earlier steps inserted."""
    rebuild_rollups()
