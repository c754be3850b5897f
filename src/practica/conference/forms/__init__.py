"""Forms of the conference screens, one module per stage."""
