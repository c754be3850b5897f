"""Every write about communities: programs, communities, joining, leaving, requests, roles.

Each function is one transaction. Locks: changes that could leave a community without a
manager lock the community row (`select_for_update`, a no-op on SQLite, where IMMEDIATE
transactions serialise writers anyway); duplicate joins are prevented by the partial unique
constraint `one_current_membership`, not by a lock.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from practica.communities.models import (
    Access,
    Community,
    LeftReason,
    Membership,
    MembershipRequest,
    MembershipRole,
    MembershipSource,
    Program,
    RequestStatus,
)
from practica.communities.permissions import (
    MANAGING_ROLES,
    can_manage_community,
    forget_cached_roles,
)
from practica.core.models import ActivityKind, Topic
from practica.core.outgoing_mail import send_templated_mail
from practica.core.services import record_activity, record_audit
from practica.people.models import User

MAX_REQUEST_MESSAGE = 2000


def create_program(*, name: str, slug: str = "", description: str = "") -> Program:
    """Create a company-wide program of communities."""
    name = name.strip()
    slug = slugify(slug or name)[:160]
    if not name or not slug:
        raise ValidationError({"name": _("A program needs a name with letters or digits.")})
    with transaction.atomic():
        if Program.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _("A program with this address already exists.")})
        return Program.objects.create(name=name, slug=slug, description=description)


def create_community(
    *,
    name: str,
    actor: User,
    slug: str = "",
    description: str = "",
    mission: str = "",
    access: str = Access.OPEN,
    program: Program | None = None,
    topics: list[Topic] | None = None,
    founded_on: datetime | None = None,
) -> Community:
    """Create a community; its creator becomes its first manager. Staff only."""
    if not actor.is_staff:
        raise PermissionDenied(_("Only platform staff may create communities."))
    name = name.strip()
    slug = slugify(slug or name)[:160]
    if not name or not slug:
        raise ValidationError({"name": _("A community needs a name with letters or digits.")})
    if access not in Access.values:
        raise ValidationError({"access": _("Choose open or closed.")})
    with transaction.atomic():
        if Community.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _("A community with this address already exists.")})
        community = Community.objects.create(
            name=name,
            slug=slug,
            description=description,
            mission=mission,
            access=access,
            program=program,
            founded_on=founded_on,
        )
        if topics:
            community.topics.set(topics)
        Membership.objects.create(
            community=community,
            person=actor,
            role=MembershipRole.MANAGER,
            source=MembershipSource.FOUNDER,
        )
        record_activity(
            kind=ActivityKind.JOINED,
            person_id=actor.pk,
            community_id=community.pk,
            data={"role": MembershipRole.MANAGER},
        )
        record_audit(
            actor_id=actor.pk,
            action="community.created",
            target=community,
            community_id=community.pk,
        )
    forget_cached_roles(actor)
    return community


def _current_membership(community: Community, person: User) -> Membership | None:
    return Membership.objects.current().filter(community=community, person=person).first()


def _open_membership(
    *,
    community: Community,
    person: User,
    source: str,
    role: str = MembershipRole.MEMBER,
    joined_at: datetime | None = None,
) -> tuple[Membership, bool]:
    """Open a membership, or return the current one; True when a new one was opened."""
    existing = _current_membership(community, person)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                community=community,
                person=person,
                role=role,
                source=source,
                joined_at=joined_at or timezone.now(),
            )
    except IntegrityError:
        # A concurrent join of the same person won the race: theirs is the membership.
        existing = _current_membership(community, person)
        if existing is None:
            raise
        return existing, False
    record_activity(
        kind=ActivityKind.JOINED,
        person_id=person.pk,
        community_id=community.pk,
        subject=membership,
        occurred_at=membership.joined_at,
        data={"source": source},
    )
    forget_cached_roles(person)
    return membership, True


def join_community(
    *, community: Community, person: User, source: str = MembershipSource.ORGANIC
) -> Membership:
    """Join an open community. Joining twice returns the current membership unchanged."""
    if not person.is_active:
        raise PermissionDenied(_("Deactivated accounts cannot join communities."))
    if community.is_closed:
        raise PermissionDenied(
            _("%(name)s is closed: ask to join and a manager will decide.")
            % {"name": community.name}
        )
    if source not in MembershipSource.values:
        raise ValidationError({"source": _("Unknown membership source.")})
    with transaction.atomic():
        membership, _created = _open_membership(community=community, person=person, source=source)
    return membership


def add_member(
    *,
    community: Community,
    person: User,
    actor: User,
    role: str = MembershipRole.MEMBER,
    source: str = MembershipSource.INVITATION,
) -> Membership:
    """A manager adds a person directly (open or closed community)."""
    if not can_manage_community(actor, community):
        raise PermissionDenied(_("Only the community's managers can add members."))
    if role not in MembershipRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    with transaction.atomic():
        membership, created = _open_membership(
            community=community, person=person, source=source, role=role
        )
        if created:
            record_audit(
                actor_id=actor.pk,
                action="membership.added",
                target=membership,
                community_id=community.pk,
                data={"person": person.pk, "role": role},
            )
    return membership


def _managers_left_after(community: Community, membership: Membership) -> int:
    return (
        Membership.objects.current()
        .filter(community=community, role__in=MANAGING_ROLES)
        .exclude(pk=membership.pk)
        .count()
    )


def leave_community(
    *,
    community: Community,
    person: User,
    actor: User | None = None,
    reason: str = LeftReason.LEFT_COMMUNITY,
) -> Membership:
    """End the person's current membership, keeping it as history.

    A member leaves on their own; a manager removes (reason `removed`); the system records a
    leaver from the company (`left_company`). The last manager cannot leave a community
    that still has members. Locks the community row.
    """
    actor = actor or person
    if reason not in LeftReason.values:
        raise ValidationError({"reason": _("Unknown reason for leaving.")})
    if actor.pk != person.pk and not can_manage_community(actor, community):
        raise PermissionDenied(_("Only the community's managers can remove members."))
    with transaction.atomic():
        Community.objects.select_for_update().filter(pk=community.pk).first()
        membership = _current_membership(community, person)
        if membership is None:
            raise ValidationError(
                _("%(person)s is not a member of %(community)s.")
                % {"person": person, "community": community.name}
            )
        if (
            membership.role in MANAGING_ROLES
            and reason != LeftReason.LEFT_COMPANY
            and _managers_left_after(community, membership) == 0
            and Membership.objects.current().filter(community=community).count() > 1
        ):
            raise ValidationError(
                _("You are the last manager: hand the role to someone else before leaving.")
            )
        membership.left_at = timezone.now()
        membership.left_reason = reason
        membership.save(update_fields=["left_at", "left_reason"])
        record_activity(
            kind=ActivityKind.LEFT,
            person_id=person.pk,
            community_id=community.pk,
            subject=membership,
            data={"reason": reason},
        )
        if actor.pk != person.pk:
            record_audit(
                actor_id=actor.pk,
                action="membership.removed",
                target=membership,
                community_id=community.pk,
                data={"person": person.pk, "reason": reason},
            )
    forget_cached_roles(person)
    return membership


def request_to_join(*, community: Community, person: User, message: str = "") -> MembershipRequest:
    """Ask to join a closed community; asking again while a request is pending returns it."""
    if not community.is_closed:
        raise ValidationError(_("%(name)s is open: join it directly.") % {"name": community.name})
    message = (message or "").strip()
    if len(message) > MAX_REQUEST_MESSAGE:
        raise ValidationError(
            {"message": _("Keep the message to %(n)d characters.") % {"n": MAX_REQUEST_MESSAGE}}
        )
    with transaction.atomic():
        if _current_membership(community, person) is not None:
            raise ValidationError(
                _("You are already a member of %(name)s.") % {"name": community.name}
            )
        pending = MembershipRequest.objects.filter(
            community=community, person=person, status=RequestStatus.PENDING
        ).first()
        if pending is not None:
            return pending
        try:
            with transaction.atomic():
                join_request = MembershipRequest.objects.create(
                    community=community, person=person, message=message
                )
        except IntegrityError:
            return MembershipRequest.objects.get(
                community=community, person=person, status=RequestStatus.PENDING
            )
        record_activity(
            kind=ActivityKind.REQUESTED_TO_JOIN,
            person_id=person.pk,
            community_id=community.pk,
            subject=join_request,
        )
        managers = User.objects.filter(
            memberships__community=community,
            memberships__left_at__isnull=True,
            memberships__role__in=MANAGING_ROLES,
            is_active=True,
        ).distinct()
        for manager in managers:
            send_templated_mail(
                to=manager.email,
                template_prefix="communities/mail/join_requested",
                context={
                    "community": community,
                    "requester": person,
                    "join_request": join_request,
                    "manager": manager,
                },
                idempotency_key=f"join-request-{join_request.pk}-to-{manager.pk}",
                language=manager.preferred_language or None,
            )
    return join_request


def _decide(*, join_request: MembershipRequest, actor: User, status: str) -> MembershipRequest:
    if not can_manage_community(actor, join_request.community):
        raise PermissionDenied(_("Only the community's managers can decide on requests."))
    locked = MembershipRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.status != RequestStatus.PENDING:
        raise ValidationError(
            _("This request was already %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    locked.status = status
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    record_audit(
        actor_id=actor.pk,
        action=f"membership_request.{status}",
        target=locked,
        community_id=locked.community_id,
        data={"person": locked.person_id},
    )
    return locked


def approve_membership_request(*, join_request: MembershipRequest, actor: User) -> Membership:
    """Approve a pending request: the person becomes a member and is told by mail."""
    with transaction.atomic():
        decided = _decide(join_request=join_request, actor=actor, status=RequestStatus.APPROVED)
        membership, _created = _open_membership(
            community=decided.community, person=decided.person, source=MembershipSource.ORGANIC
        )
        send_templated_mail(
            to=decided.person.email,
            template_prefix="communities/mail/join_approved",
            context={"community": decided.community, "person": decided.person},
            idempotency_key=f"join-request-{decided.pk}-approved",
            language=decided.person.preferred_language or None,
        )
    return membership


def decline_membership_request(
    *, join_request: MembershipRequest, actor: User, reason: str = ""
) -> MembershipRequest:
    """Decline a pending request; the person is told by mail, with the reason if given."""
    with transaction.atomic():
        decided = _decide(join_request=join_request, actor=actor, status=RequestStatus.DECLINED)
        send_templated_mail(
            to=decided.person.email,
            template_prefix="communities/mail/join_declined",
            context={
                "community": decided.community,
                "person": decided.person,
                "reason": (reason or "").strip()[:MAX_REQUEST_MESSAGE],
            },
            idempotency_key=f"join-request-{decided.pk}-declined",
            language=decided.person.preferred_language or None,
        )
    return decided


def withdraw_membership_request(
    *, join_request: MembershipRequest, actor: User
) -> MembershipRequest:
    """The requester takes back a pending request."""
    if actor.pk != join_request.person_id:
        raise PermissionDenied(_("Only the person who asked can withdraw the request."))
    with transaction.atomic():
        locked = MembershipRequest.objects.select_for_update().get(pk=join_request.pk)
        if locked.status != RequestStatus.PENDING:
            raise ValidationError(_("Only a pending request can be withdrawn."))
        locked.status = RequestStatus.WITHDRAWN
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
    return locked


def change_member_role(*, membership: Membership, role: str, actor: User) -> Membership:
    """Give a current member another role; the last manager cannot step down. Locks the
    community row."""
    if role not in MembershipRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    if not can_manage_community(actor, membership.community):
        raise PermissionDenied(_("Only the community's managers can change roles."))
    with transaction.atomic():
        Community.objects.select_for_update().filter(pk=membership.community_id).first()
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.left_at is not None:
            raise ValidationError(_("This person is no longer a member."))
        if (
            locked.role in MANAGING_ROLES
            and role not in MANAGING_ROLES
            and _managers_left_after(locked.community, locked) == 0
        ):
            raise ValidationError(_("A community needs at least one manager or leader."))
        previous = locked.role
        if previous == role:
            return locked
        locked.role = role
        locked.save(update_fields=["role"])
        record_activity(
            kind=ActivityKind.ROLE_CHANGED,
            person_id=locked.person_id,
            community_id=locked.community_id,
            subject=locked,
            counterpart_id=actor.pk,
            data={"from": previous, "to": role},
        )
        record_audit(
            actor_id=actor.pk,
            action="membership.role_changed",
            target=locked,
            community_id=locked.community_id,
            data={"person": locked.person_id, "from": previous, "to": role},
        )
    forget_cached_roles(locked.person)
    return locked
