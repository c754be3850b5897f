"""Settings of the server `practica bench question-page` starts: the site's own settings with one
extra URL, a minimal view to compare the question page against. Only the benchmark uses it."""

from practica.settings import *  # noqa: F403 — the very same settings, plus the URLconf below

ROOT_URLCONF = "practica.bench.urls"
