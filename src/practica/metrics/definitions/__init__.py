"""The first metric definitions, computed from raw data for one community as of a moment.

Each metric is a pure function `(community_id, as_of) -> Decimal | None`: it reads only rows
that existed at `as_of`, over its own trailing window ending at `as_of` (inclusive), and
answers None when there is nothing to measure (no questions, no feedback, an empty cohort),
never a division by zero. The formulas are in `docs/metrics.md`; `practica.metrics.
target_metrics` registers every one of them for strategy targets and the program dashboard.

Modules by area: `membership` (members, new members, 6-month retention), `activity` (active
and engaged members), `response_times` (time to first response), `collaboration` (cross-org
answers) and `events` (events held, attendance, CSAT); `windows`, `population` and `figures`
hold what they share: time windows, who counts, and how a value is rounded.
"""
