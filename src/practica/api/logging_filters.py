"""Filters for the `LOGGING` setting."""

import logging

# A 409 is an expected answer (a full event, a closed registration), not a fault: in a
# registration rush thousands of them would bury real warnings and cost each request a write.
EXPECTED_REFUSAL_STATUS = 409


class SkipExpectedRefusals(logging.Filter):
    """Drops django.request's "Conflict" warnings; every other 4xx and 5xx is still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != EXPECTED_REFUSAL_STATUS
