"""SCIM 2.0 endpoints, mounted at /scim/v2/ (namespace "scim"). Identity providers call them
with or without a trailing slash, so both are accepted."""

from django.urls import URLPattern, re_path

from practica.outreach.scim import discovery, groups, user_views

app_name = "scim"

urlpatterns: list[URLPattern] = [
    re_path(
        r"^ServiceProviderConfigs?/?$",
        discovery.service_provider_config,
        name="service_provider_config",
    ),
    re_path(r"^Schemas/?$", discovery.schemas, name="schemas"),
    re_path(r"^Schemas/(?P<urn>[^/]+)/?$", discovery.schema, name="schema"),
    re_path(r"^ResourceTypes/?$", discovery.resource_type_list, name="resource_types"),
    re_path(r"^ResourceTypes/(?P<name>[^/]+)/?$", discovery.resource_type, name="resource_type"),
    re_path(r"^Users/?$", user_views.users, name="users"),
    re_path(r"^Users/(?P<scim_id>[^/]+)/?$", user_views.user, name="user"),
    re_path(r"^Groups/?$", groups.groups, name="groups"),
    re_path(r"^Groups/(?P<scim_id>[^/]+)/?$", groups.group, name="group"),
    # Last: anything else (e.g. /Bulk, /Me) is a SCIM 404.
    re_path(r"^(?P<rest>.*)$", discovery.unknown_endpoint, name="unknown"),
]
