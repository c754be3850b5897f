"""How the outreach pages show a service's refusal: as one sentence (for a message), or on a
form, beside each field the form has."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def refusal(error: ValidationError | PermissionDenied) -> str:
    """The human sentence inside a service's refusal."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do that.")


def add_refusal(form: Any, error: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on `form`: per field where the form has that field, the rest
    above the form."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
        return
    form.add_error(None, refusal(error))
