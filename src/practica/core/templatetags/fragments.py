"""`{% sharedcache "name" value … %}…{% endsharedcache %}`: a fragment kept in the cache for
every viewer who would see it the same.

Like Django's `{% cache %}`, with three differences that make it safe to share:
- the key always holds the active language and time zone, and a digest of the fragment's own
  template source, so a change to it never serves an older fragment (templates it includes,
  or partials it renders, are not in the digest: the cache is each server process's memory,
  emptied by the restart that loads changed templates; a cache shared between processes
  would need a release number in the key);
- `{% csrf_token %}` (and `{{ csrf_token }}`) may be used inside: the fragment is kept with a
  slot where the token goes and each viewer gets their own (`practica.core.fragments`);
- the values after the name are the key's other parts, and must be everything the fragment
  reads that differs between viewers or pages (booleans, strings, numbers: their `repr` is
  the key). Anything else it reads must be the same for everyone.

Rendered without a CSRF token in the context (no request), the fragment is rendered as is.
"""

import hashlib
from typing import Any

from django import template
from django.core.cache import cache
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.utils import timezone, translation

from practica.core.fragments import render_around_token, with_token

register = template.Library()

FRAGMENT_SECONDS = 60 * 60


class SharedCacheNode(Node):
    def __init__(
        self, nodelist: NodeList, name: str, source: str, vary_on: list[FilterExpression]
    ) -> None:
        self.nodelist, self.name, self.source, self.vary_on = nodelist, name, source, vary_on

    def render(self, context: Any) -> str:
        csrf = context.get("csrf_token")
        if not csrf or csrf == "NOTPROVIDED":
            return self.nodelist.render(context)
        parts = (
            translation.get_language(),
            timezone.get_current_timezone_name(),
            *(value.resolve(context) for value in self.vary_on),
        )
        digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
        key = f"fragment:{self.name}:{self.source}:{digest}"
        pieces = cache.get(key)
        if pieces is None:

            def render(placeholder: str) -> str:
                with context.push(csrf_token=placeholder):
                    return self.nodelist.render(context)

            pieces = render_around_token(render)
            cache.set(key, pieces, FRAGMENT_SECONDS)
        return with_token(pieces, csrf)


@register.tag
def sharedcache(parser: Parser, token: Token) -> SharedCacheNode:
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][:1] not in "\"'" or bits[1][-1:] != bits[1][:1]:
        raise template.TemplateSyntaxError("'sharedcache' takes a quoted fragment name first.")
    waiting: list[Token] = list(parser.tokens)  # type: ignore[arg-type]  # still to parse, last first
    nodelist = parser.parse(("endsharedcache",))
    inside = waiting[len(parser.tokens) :]
    parser.delete_first_token()
    source = hashlib.blake2b(digest_size=8)
    for each in inside:
        source.update(f"{each.token_type.value}:{each.contents}\x00".encode())
    vary_on = [parser.compile_filter(bit) for bit in bits[2:]]
    return SharedCacheNode(nodelist, bits[1][1:-1], source.hexdigest(), vary_on)
