"""Site-wide screens of the kernel: the health check."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from practica.core.health import health_report


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    healthy = report["database"] == "ok" and report["broker"] == "ok"
    return JsonResponse(report, status=200 if healthy else 503)
