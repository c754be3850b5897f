"""The outreach API's shapes for members' invitations (`api_invitations` holds the endpoints)."""

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from practica.api.fields import text
from practica.outreach.services.invitations import MAX_ADDRESSES_PER_REQUEST, MAX_MESSAGE
from practica.people.api import PersonRef

Address = Annotated[str, StringConstraints(max_length=320, pattern=r"^[^\x00]*$")]


class InviteIn(Schema):
    emails: list[Address] = Field(
        min_length=1,
        max_length=MAX_ADDRESSES_PER_REQUEST,
        description=f"The colleagues' addresses (1–{MAX_ADDRESSES_PER_REQUEST}); repeats are "
        "dropped.",
    )
    message: text(MAX_MESSAGE) = Field("", description="A note from you, shown in the mail.")  # type: ignore[valid-type]


class CommunityRef(Schema):
    slug: str
    name: str


class InvitationOut(Schema):
    """An invitation the caller sent. `status`: pending, clicked (the link was opened),
    joined, or expired (the link's 60 days are over; inviting again renews it)."""

    id: int
    community: CommunityRef
    email: str
    invitee: PersonRef | None
    message: str
    status: str
    created_at: datetime
    clicked_at: datetime | None
    joined_at: datetime | None


class InvitationResultOut(Schema):
    """One address of the request: `invited` with the invitation, or refused with a `code`
    (invalid_address, already_member, already_invited, not_invitable,
    daily_limit) and a human `message`."""

    email: str
    invited: bool
    invitation_id: int | None
    code: str
    message: str


class InvitationBatchOut(Schema):
    """The answer to an invitation request: a summary in `detail` and one result per address."""

    detail: str
    invited: int
    refused: int
    results: list[InvitationResultOut]


class RefusalOut(Schema):
    """A step refused for the state things are in. `code`: joined."""

    detail: str
    code: str
