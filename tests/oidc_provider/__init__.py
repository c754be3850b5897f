"""A small OpenID Connect provider (django-oauth-toolkit) that the SSO tests start on loopback."""
