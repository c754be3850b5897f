"""Conference screens: proposals."""

routes: list = []
