"""Conference screens: editions."""

routes: list = []
