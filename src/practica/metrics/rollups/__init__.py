"""Rollups: the small tables dashboards read, rebuilt from raw rows (`build`), kept up to date
incrementally (`incremental`), and read back as the raw definitions' figures
(`rollup_figures`). See `calendar` for days and `day_end`."""

from practica.metrics.rollups.build import RebuildReport, rebuild_rollups
from practica.metrics.rollups.calendar import day_end

__all__ = ["RebuildReport", "day_end", "rebuild_rollups"]
