"""The conference's ownership provider (kind "committee_seat"), registered from
ConferenceConfig.ready(): a person's seats on the program committees of editions whose
decisions are not over yet (before the program is published and before the last day; see
`Edition.phase`). Handing a seat over seats the successor (a chair if the leaver chaired, or
if they already did) and takes the leaver off, through `services.committee`.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practica.communities.continuity import OwnedThing
from practica.conference.models import CommitteeMember, Edition, EditionPhase
from practica.conference.services.committee import add_committee_member, remove_committee_member
from practica.people.models import User

DECIDED = frozenset({EditionPhase.PROGRAM, EditionPhase.FINISHED})


def committee_url(edition_id: int) -> str:
    return reverse("conference:edition_settings", args=[edition_id]) + "#committee"


class CommitteeSeatOwnership:
    kind = "committee_seat"
    verbose_name = gettext_lazy("Program committee seat")

    def owned_by(self, person: User) -> list[OwnedThing]:
        now = timezone.now()
        seats = (
            CommitteeMember.objects.filter(
                person=person,
                edition__program_published_at__isnull=True,
                edition__ends_on__gte=timezone.localdate(now),
            )
            .select_related("edition")
            .order_by("edition__starts_on", "edition_id")
        )
        things = []
        # Labels are stored on the alert: written in the site's language, whoever triggered it.
        with translation.override(settings.LANGUAGE_CODE):
            for seat in seats:
                edition = seat.edition
                if edition.phase(now) in DECIDED:
                    continue
                label = (
                    _("Program committee chair: %(edition)s")
                    if seat.is_chair
                    else _("Program committee: %(edition)s")
                )
                things.append(
                    OwnedThing(
                        kind=self.kind,
                        object_id=edition.pk,
                        label=label % {"edition": edition.name},
                        community_id=edition.community_id,
                        url=committee_url(edition.pk),
                    )
                )
        return things

    def hand_over(self, *, object_id: int, leaver: User, successor: User, actor: User) -> None:
        edition = Edition.objects.select_related("community").filter(pk=object_id).first()
        if edition is None:
            return  # deleted since: no committee left
        seat = CommitteeMember.objects.filter(edition=edition, person=leaver).first()
        if seat is None:
            return  # the chairs already took them off
        theirs = CommitteeMember.objects.filter(edition=edition, person=successor).first()
        chair = seat.is_chair or (theirs is not None and theirs.is_chair)
        add_committee_member(edition=edition, actor=actor, person=successor, is_chair=chair)
        remove_committee_member(seat=seat, actor=actor)

    def url_for(self, object_id: int) -> str:
        return committee_url(object_id)
