"""Suite-wide fixtures. Tests run on SQLite by default and on PostgreSQL with TEST_DATABASE_URL."""

import os

import pytest

os.environ.setdefault("PRACTICA_TESTING", "1")


@pytest.fixture(autouse=True)
def _isolated_mail_files(settings, tmp_path):
    """Delivered mail lands in a per-test folder, never in var/."""
    settings.EMAIL_FILE_PATH = tmp_path / "sent-mail"


@pytest.fixture
def member(db):
    from tests.factories.people import UserFactory

    return UserFactory()


@pytest.fixture
def staff(db):
    from tests.factories.people import UserFactory

    return UserFactory(is_staff=True)
