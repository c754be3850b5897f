"""Conference screens: reviews."""

routes: list = []
