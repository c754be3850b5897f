"""Every write of discussions and Q&A, one module per concern.

- `threads`: asking, posting, editing, voting, accepting, duplicates, links.
- `moderation`: flags, hide, lock, move, merge (moderators: organizers and managers).
- `notifications`: subscriptions, notifications, preferences, notification mail.
- `routing`: picking the members most likely to answer well and soon, and their outcomes.
- `view_counts`: counting a thread's page views.
"""
