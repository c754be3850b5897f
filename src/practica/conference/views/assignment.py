"""Conference screens: assignment."""

routes: list = []
