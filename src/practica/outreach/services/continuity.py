"""Continuity after a leaver: alerting a community's managers to what the leaver owned, and
handing each thing (or all of them at once) to a successor.

What a person owns comes from the ownership providers each app registers
(`practica.communities.continuity`): groups, event series, hosted events, committee seats,
routed questions. `raise_continuity_alerts` is called by `lifecycle.deprovision_person` before
the leaver's memberships are ended, while their ownership is still visible.

Each function is one transaction (nesting inside a caller's). Locks: raising an alert locks
the leaver's open alert of the community (the partial unique constraint
`one_open_alert_per_leaver` settles two first raisings at once); a hand-over locks the alert
row, so two managers handing over the same alert queue up and the second sees the first's work.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practica.communities.continuity import OwnedThing, ownership_provider
from practica.communities.continuity import owned_things as things_owned_by
from practica.communities.models import Community
from practica.core.services import record_audit
from practica.outreach.mails.continuity import mail_continuity_alert
from practica.outreach.models import ContinuityAlert, ContinuityItem
from practica.outreach.permissions import require_outreach_manager
from practica.people.models import User

MAX_LABEL = ContinuityItem._meta.get_field("label").max_length or 300
HAND_OVER_REFUSAL = gettext_lazy("Only the community's managers can hand over a leaver's things.")


class HandOverRefused(ValidationError):  # noqa: N818 — a refusal, not a fault
    """A hand-over refused for the state the alert or item is in (the API answers 409).
    `.code`: "handed" (the item already has a new owner), "resolved" (the alert is closed)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)


# --- Raising -----------------------------------------------------------------------------------


def _open_alert(community_id: int, leaver: User) -> tuple[ContinuityAlert, bool]:
    """The leaver's open alert in the community, locked; created if there is none."""
    query = ContinuityAlert.objects.select_for_update().filter(
        community_id=community_id, leaver=leaver, resolved_at__isnull=True
    )
    alert = query.first()
    if alert is not None:
        return alert, False
    try:
        with transaction.atomic():
            return ContinuityAlert.objects.create(community_id=community_id, leaver=leaver), True
    except IntegrityError:
        # Another raising for the same leaver won the race: add to its alert.
        return query.get(), False


def raise_continuity_alerts(*, leaver: User) -> list[ContinuityAlert]:
    """One open alert per community in which `leaver` owns something, listing what needs a new
    owner; the community's managers and leaders are mailed in the same transaction.

    Idempotent: a second call adds only things not yet on the open alert (and mails only about
    those); nothing owned means `[]` and no mail. Returns the open alerts the leaver's things
    are on, in community order. Locks each open alert it adds to.
    """
    owned = things_owned_by(leaver)
    if not owned:
        return []
    by_community: dict[int, list[OwnedThing]] = defaultdict(list)
    for thing in owned:
        by_community[thing.community_id].append(thing)
    alerts: list[ContinuityAlert] = []
    with transaction.atomic():
        communities = Community.objects.in_bulk(list(by_community))
        for community_id in sorted(by_community):
            community = communities.get(community_id)
            if community is None:
                continue
            alert, created = _open_alert(community_id, leaver)
            alert.community = community
            known = set(alert.items.values_list("kind", "object_id"))
            fresh: list[ContinuityItem] = []
            for thing in by_community[community_id]:
                key = (thing.kind, thing.object_id)
                if key in known:
                    continue
                known.add(key)
                fresh.append(
                    ContinuityItem(
                        alert=alert,
                        kind=thing.kind,
                        object_id=thing.object_id,
                        label=thing.label[:MAX_LABEL],
                    )
                )
            alerts.append(alert)
            if not fresh:
                continue
            ContinuityItem.objects.bulk_create(fresh)
            fresh_keys = {(item.kind, item.object_id) for item in fresh}
            new_items = [
                item for item in alert.items.all() if (item.kind, item.object_id) in fresh_keys
            ]
            record_audit(
                actor_id=None,
                action="continuity.alert_raised" if created else "continuity.items_added",
                target=alert,
                community_id=community_id,
                data={
                    "leaver": leaver.pk,
                    "items": [[item.kind, item.object_id] for item in fresh],
                },
            )
            mail_continuity_alert(alert=alert, items=new_items, is_new=created)
    return alerts


# --- Handing over ------------------------------------------------------------------------------


def check_successor(*, successor: User | None, leaver: User) -> User:
    """`successor` if they can take things over: an active, real person still at the company,
    not the leaver; otherwise a ValidationError on `successor`."""
    if successor is None:
        raise ValidationError({"successor": _("Choose who takes over.")})
    if successor.pk == leaver.pk:
        raise ValidationError({"successor": _("The leaver cannot take over their own things.")})
    if (
        not successor.is_active
        or successor.is_placeholder
        or successor.is_system
        or successor.left_on is not None
    ):
        raise ValidationError(
            {
                "successor": _("%(name)s cannot take over: choose an active colleague.")
                % {"name": successor}
            }
        )
    return successor


def _locked_alert(alert: ContinuityAlert) -> ContinuityAlert:
    return (
        ContinuityAlert.objects.select_for_update()
        .select_related("community", "leaver")
        .get(pk=alert.pk)
    )


def _hand_over(
    *, alert: ContinuityAlert, item: ContinuityItem, successor: User, actor: User
) -> ContinuityItem:
    """Hand one unhanded item over through its provider and record it (caller holds the lock)."""
    try:
        provider = ownership_provider(item.kind)
    except LookupError:
        raise ValidationError(
            _("“%(label)s” cannot be handed over here: its kind is unknown.")
            % {"label": item.label}
        ) from None
    try:
        provider.hand_over(
            object_id=item.object_id, leaver=alert.leaver, successor=successor, actor=actor
        )
    except ValidationError as error:
        raise ValidationError(
            _("“%(label)s”: %(reason)s") % {"label": item.label, "reason": " ".join(error.messages)}
        ) from None
    item.handed_to = successor
    item.handed_by = actor
    item.handed_at = timezone.now()
    item.save(update_fields=["handed_to", "handed_by", "handed_at"])
    record_audit(
        actor_id=actor.pk,
        action="continuity.item_handed_over",
        target=item,
        community_id=alert.community_id,
        data={
            "kind": item.kind,
            "object_id": item.object_id,
            "leaver": alert.leaver_id,
            "successor": successor.pk,
        },
    )
    return item


def _resolve_if_done(alert: ContinuityAlert, actor: User) -> None:
    if alert.resolved_at is not None or alert.items.filter(handed_at__isnull=True).exists():
        return
    alert.resolved_at = timezone.now()
    alert.save(update_fields=["resolved_at"])
    record_audit(
        actor_id=actor.pk,
        action="continuity.alert_resolved",
        target=alert,
        community_id=alert.community_id,
        data={"leaver": alert.leaver_id},
    )


def hand_over_item(*, item: ContinuityItem, successor: User, actor: User) -> ContinuityItem:
    """Make `successor` the new owner of one thing on an open alert; the alert is resolved when
    it was the last thing waiting. Managers of the alert's community only.

    Locks the alert row. An item already handed over is a `HandOverRefused` ("handed").
    """
    alert = item.alert
    require_outreach_manager(actor, alert.community, HAND_OVER_REFUSAL)
    check_successor(successor=successor, leaver=alert.leaver)
    with transaction.atomic():
        alert = _locked_alert(alert)
        locked = ContinuityItem.objects.select_related("handed_to").get(pk=item.pk)
        if locked.handed_at is not None:
            raise HandOverRefused(
                _("“%(label)s” was already handed to %(name)s.")
                % {"label": locked.label, "name": locked.handed_to or _("someone")},
                code="handed",
            )
        _hand_over(alert=alert, item=locked, successor=successor, actor=actor)
        _resolve_if_done(alert, actor)
    locked.alert = alert
    return locked


def hand_over_alert(*, alert: ContinuityAlert, successor: User, actor: User) -> ContinuityAlert:
    """The one-step hand-over: every thing on the alert not yet handed over goes to
    `successor`, and the alert is resolved. All or nothing: if one thing cannot be handed
    over, nothing is. Managers of the alert's community only.

    Locks the alert row. A resolved alert is a `HandOverRefused` ("resolved").
    """
    require_outreach_manager(actor, alert.community, HAND_OVER_REFUSAL)
    check_successor(successor=successor, leaver=alert.leaver)
    with transaction.atomic():
        locked = _locked_alert(alert)
        if locked.resolved_at is not None:
            raise HandOverRefused(
                _("This alert was already resolved."),
                code="resolved",
            )
        waiting: Iterable[ContinuityItem] = locked.items.filter(handed_at__isnull=True)
        for item in waiting:
            _hand_over(alert=locked, item=item, successor=successor, actor=actor)
        _resolve_if_done(locked, actor)
    return locked
