"""`{% single_sign_on as sso %}`: the company's sign-in provider for the sign-in page, or None
when single sign-on is not configured (settings only; nothing is fetched)."""

from django import template

from practica.people.sso_views import provider_name, sso_enabled

register = template.Library()


@register.simple_tag
def single_sign_on() -> dict[str, str] | None:
    if not sso_enabled():
        return None
    return {"name": provider_name()}
