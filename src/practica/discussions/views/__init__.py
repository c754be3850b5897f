"""Q&A screens. Views validate input and call services and queries, nothing more; a service's
refusal (ValidationError, PermissionDenied) becomes a message on the page, never an error page.

- `lists`: a community's questions, all questions, the unanswered queue, search.
- `threads`: asking (with live similar questions and a Markdown preview), a thread's page,
  answering, editing and its history.
- `actions`: the POST buttons on a thread: votes, accept, watch, flag, moderation.
- `inbox`: notifications and the member's Q&A preferences.
- `moderation`: a community's flag queue, for its moderators.
"""
