"""Forms of the `events` screens, by concern."""
