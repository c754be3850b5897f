"""The provider's URLs: its login page and django-oauth-toolkit at the root, so the issuer is the
origin and discovery is at /.well-known/openid-configuration."""

from django.contrib.auth.views import LoginView
from django.urls import include, path

urlpatterns = [
    path(
        "accounts/login/",
        LoginView.as_view(template_name="oidc_provider/login.html"),
        name="login",
    ),
    path("", include("oauth2_provider.urls")),
]
