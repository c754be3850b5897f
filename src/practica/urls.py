"""Top-level URL map: each app mounts its own urls.py."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from practica.api.api import api
from practica.core.views import healthz
from practica.people.views import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("people/", include("practica.people.urls")),
    path("communities/", include("practica.communities.urls")),
    path("programs/", include("practica.communities.program.urls")),
    path("lists/", include("practica.mail.urls")),
    path("events/", include("practica.events.urls")),
    path("conference/", include("practica.conference.urls")),
    path("outreach/", include("practica.outreach.urls")),
    path("budget/", include("practica.budget.urls")),
    path("metrics/", include("practica.metrics.urls")),
    path("scim/v2/", include("practica.outreach.scim.urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("", include("practica.discussions.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
