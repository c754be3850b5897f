"""A grassroots group's page: what it is, who runs it, how many take part, and its community.

Read-only for now (groups are founded and joined through `group_services`); it is where a
continuity alert about a leaver's group links to.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from practica.communities.group_permissions import can_manage_group, can_view_group
from practica.communities.models import Community, Group, GroupMembership, GroupRole


@login_required
@require_GET
def group_detail(request: HttpRequest, slug: str, group: str) -> HttpResponse:
    community = get_object_or_404(Community, slug=slug)
    found = get_object_or_404(
        Group.objects.select_related("community"), community=community, slug=group
    )
    if not can_view_group(request.user, found):
        reason = _("%(name)s is closed: its groups are for its members.") % {"name": community.name}
        context = {"community": community, "reason": reason}
        return render(request, "communities/forbidden.html", context, status=403)
    current = GroupMembership.objects.filter(group=found, left_at__isnull=True)
    context = {
        "community": community,
        "group": found,
        "owners": [
            row.person
            for row in current.filter(role=GroupRole.OWNER)
            .select_related("person")
            .order_by("person__display_name", "pk")
        ],
        "member_count": current.count(),
        "can_manage": can_manage_group(request.user, found),
    }
    return render(request, "communities/group_detail.html", context)
