"""The HR feed tests' CSV fixtures (tests/outreach/fixtures/) and small helpers."""

from datetime import date
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
EFFECTIVE_ON = date(2026, 3, 1)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_path(name: str) -> str:
    return str(FIXTURES / name)
