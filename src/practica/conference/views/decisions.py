"""Conference screens: decisions."""

routes: list = []
