#!/usr/bin/env python
"""Django's command-line utility; `practica` is the same thing as an installed script."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from practica.cli import main

if __name__ == "__main__":
    main()
