"""The conference's screens, one module per stage; each lists its own `routes`."""
