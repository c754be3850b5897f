"""The `practica` console script: every Django management command, plus demo, serve and bench."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practica.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        # Commands are spelled with hyphens on the command line (`practica import-mbox`).
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["practica", *args])


if __name__ == "__main__":
    main()
