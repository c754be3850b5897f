"""Outreach screens, one module per area; each lists its own `routes`."""
