"""Template helpers for the design system's forms and pagination."""

from typing import Any

from django import template
from django.core.paginator import Page
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def accessible_widget(field: BoundField) -> SafeString:
    """The field's widget tied to its help and error texts (aria-describedby, aria-invalid).

    The ids match templates/includes/form_field.html.
    """
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_errors")
    attrs: dict[str, Any] = {}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def elided_pages(page_obj: Page) -> list[int | str]:
    """Page numbers around the current one with "…" gaps, e.g. 1 2 … 7 8 9 … 40 41."""
    return list(
        page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    )
