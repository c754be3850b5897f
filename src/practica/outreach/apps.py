from django.apps import AppConfig


class OutreachConfig(AppConfig):
    """App config for provisioning (SCIM, HR feed), continuity alerts and welcome outreach."""

    name = "practica.outreach"
    label = "outreach"
    verbose_name = "Outreach"
