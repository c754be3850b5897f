"""django.request logs every 4xx and 5xx except the expected 409 refusals."""

import logging

from practica.api.logging_filters import SkipExpectedRefusals


def record_for(status_code):
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x", (), None)
    record.status_code = status_code
    return record


def test_a_conflict_is_dropped_and_everything_else_is_kept():
    keep = SkipExpectedRefusals().filter

    assert not keep(record_for(409))
    assert keep(record_for(404))
    assert keep(record_for(500))
    assert keep(logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", (), None))


def test_the_filter_is_on_django_request():
    logger = logging.getLogger("django.request")
    assert any(isinstance(f, SkipExpectedRefusals) for f in logger.filters)
