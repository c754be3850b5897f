"""Template tags of the conference screens."""
