"""Conference screens: pool."""

routes: list = []
