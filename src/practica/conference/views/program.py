"""Conference screens: program."""

routes: list = []
