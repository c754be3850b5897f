"""Every demo test leaves ContentType's cache empty.

`demo --reset` flushes the database inside the test's transaction: the content types are made
again with other ids, then rolled back to the old ones, while ContentType's process-wide cache
keeps the flushed ids. Tests that run later in the same process (e.g. the events' ledger, which
finds an event's activities by content type) would then read ids that no longer exist.
"""

import pytest
from django.contrib.contenttypes.models import ContentType


@pytest.fixture(autouse=True)
def _content_type_cache_left_empty():
    yield
    ContentType.objects.clear_cache()
