"""Reads of the community's numbers, from the rollups: each dashboard panel is built by one
function `(DashboardFilters) -> Panel` (`panels.py` lists them); the types are in `types.py`."""
