"""Reads about campaigns: a community's campaigns with their last run, a campaign's run history
with its clicks and joins, its recipients, and a sample person for the preview."""

from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from practica.outreach.campaign_schedule import month_start
from practica.outreach.models import Campaign, CampaignRecipient, CampaignRun
from practica.outreach.queries.segments import segment_people
from practica.people.models import User


def campaigns_of(community_id: int) -> QuerySet[Campaign]:
    """The community's campaigns by name, with their segment and the latest run's month,
    audience and mail count (null before the first run)."""
    latest = CampaignRun.objects.filter(campaign=OuterRef("pk")).order_by("-period")
    return (
        Campaign.objects.filter(community_id=community_id)
        .select_related("segment")
        .annotate(
            last_period=Subquery(latest.values("period")[:1]),
            last_audience=Subquery(latest.values("audience_size")[:1]),
            last_mailed=Subquery(latest.values("mailed_count")[:1]),
        )
        .order_by("name", "pk")
    )


def _recipient_count(condition: Q) -> Coalesce:
    counted = (
        CampaignRecipient.objects.filter(
            condition, campaign=OuterRef("campaign"), period=OuterRef("period")
        )
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def campaign_runs(campaign: Campaign) -> QuerySet[CampaignRun]:
    """The campaign's months, latest first, with how many of that month's recipients clicked
    and joined."""
    return (
        CampaignRun.objects.filter(campaign=campaign)
        .annotate(
            clicked_count=_recipient_count(Q(clicked_at__isnull=False)),
            joined_count=_recipient_count(Q(joined_at__isnull=False)),
        )
        .order_by("-period")
    )


def campaign_recipients(
    campaign: Campaign, *, period: date | None = None
) -> QuerySet[CampaignRecipient]:
    """The people the campaign mailed, latest first, with their name and org unit."""
    recipients = CampaignRecipient.objects.filter(campaign=campaign)
    if period is not None:
        recipients = recipients.filter(period=period)
    return recipients.select_related("person", "person__org_unit").order_by("-mailed_at", "-pk")


def sample_person(campaign: Campaign, viewer: User) -> User:
    """Whom the preview shows the mail for: the first of this month's matches, else the
    viewer."""
    period = month_start(timezone.localdate())
    person = (
        segment_people(campaign.segment, reference_date=period).select_related("manager").first()
    )
    return person or User.objects.select_related("manager").get(pk=viewer.pk)


def preview_person(campaign: Campaign, viewer: User, person_id: int) -> User | None:
    """The person a manager asked to preview the mail for, if the campaign may address them:
    the viewer, one of this month's matches, or someone it mailed. Anyone else is None, so a
    preview never shows a stranger's (or a leaver's) name and manager."""
    people = User.objects.select_related("manager")
    if person_id == viewer.pk:
        return people.get(pk=viewer.pk)
    period = month_start(timezone.localdate())
    matches = segment_people(campaign.segment, reference_date=period).filter(pk=person_id)
    mailed = campaign.recipients.filter(person_id=person_id)
    if matches.exists() or mailed.exists():
        return people.get(pk=person_id)
    return None
