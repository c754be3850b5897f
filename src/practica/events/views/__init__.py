"""Event screens. Views validate input and call services and queries, nothing more; a service's
refusal (ValidationError, PermissionDenied) becomes a message on the page, never an error page.

- `events`: the list of events, an event's page, and the registration buttons on it.
- `scheduling`: scheduling, editing, publishing and cancelling an event (with clash warnings).
- `planning`: a community's content calendar for its managers.
- `attendance`: the organizers' check-in list, walk-ins, the attendee list import, closing the
  attendance, and members' self check-in (plus the loaders the after-event views share).
- `library`: an event's materials and the library of past content.
- `feedback`: the after-event survey and its results; `ama`: the AMA board; `costs`: cost lines.
"""
