"""Provisioning (SCIM, the HR feed), continuity after leavers, and outreach to new hires."""

from practica.outreach.models.campaigns import (
    Campaign,
    CampaignRecipient,
    CampaignRun,
    CampaignSchedule,
    Invitation,
    OutreachOptOut,
    Segment,
)
from practica.outreach.models.continuity import ContinuityAlert, ContinuityItem
from practica.outreach.models.provisioning import (
    ChangeKind,
    ChangeSource,
    HrImport,
    HrImportStatus,
    PersonChange,
    ProvisionedAccount,
    ProvisioningToken,
    ScimGroup,
)

__all__ = [
    "Campaign",
    "CampaignRecipient",
    "CampaignRun",
    "CampaignSchedule",
    "ChangeKind",
    "ChangeSource",
    "ContinuityAlert",
    "ContinuityItem",
    "HrImport",
    "HrImportStatus",
    "Invitation",
    "OutreachOptOut",
    "PersonChange",
    "ProvisionedAccount",
    "ProvisioningToken",
    "ScimGroup",
    "Segment",
]
