"""The ownership provider for grassroots groups (kind "group"), registered from
CommunitiesConfig.ready(): a person owns the groups in which they hold a current owner row,
unless the group is archived; handing one over goes through
`group_services.hand_over_group_ownership`."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practica.communities.continuity import OwnedThing
from practica.communities.group_services import hand_over_group_ownership
from practica.communities.models import Group, GroupMembership, GroupRole
from practica.people.models import User


def group_url(group: Group) -> str:
    return reverse("communities:group", args=[group.community.slug, group.slug])


class GroupOwnership:
    kind = "group"
    verbose_name = gettext_lazy("Group")

    def owned_by(self, person: User) -> list[OwnedThing]:
        rows = (
            GroupMembership.objects.filter(
                person=person,
                role=GroupRole.OWNER,
                left_at__isnull=True,
                group__archived_at__isnull=True,
            )
            .select_related("group__community")
            .order_by("group__name", "group_id")
        )
        things = []
        # Labels are stored on the alert: written in the site's language, whoever triggered it.
        with translation.override(settings.LANGUAGE_CODE):
            for row in rows:
                group = row.group
                things.append(
                    OwnedThing(
                        kind=self.kind,
                        object_id=group.pk,
                        label=_("%(kind)s: %(name)s")
                        % {"kind": group.get_kind_display(), "name": group.name},
                        community_id=group.community_id,
                        url=group_url(group),
                    )
                )
        return things

    def hand_over(self, *, object_id: int, leaver: User, successor: User, actor: User) -> None:
        group = Group.objects.select_related("community").filter(pk=object_id).first()
        if group is None:
            return  # deleted since: nothing left to own
        hand_over_group_ownership(group=group, leaver=leaver, successor=successor, actor=actor)

    def url_for(self, object_id: int) -> str:
        return self.urls_for([object_id])[object_id]

    def urls_for(self, object_ids: list[int]) -> dict[int, str]:
        groups = Group.objects.select_related("community").filter(pk__in=object_ids)
        found = {group.pk: group_url(group) for group in groups}
        return {object_id: found.get(object_id, "") for object_id in object_ids}
