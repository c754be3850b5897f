"""Every write of the `events` app, by concern.

- `events`: scheduling, editing, publishing and cancelling events; hosts; cadence targets.
- `registration`: registering, the waiting list and offered seats, capacity changes.
- `attendance`, `materials`, `feedback`, `ama`, `costs`: what happens at and after an event.
- `reminders`, `calendar_feeds`: reminder mail and members' calendar feed tokens.
"""
