"""Health of the platform's dependencies, for /healthz and the `serve` start-up check."""

from django.conf import settings
from django.db import connection


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def broker_status() -> str:
    from practica.celery import app

    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        return "ok" if settings.BROKER_DIR.is_dir() else "error: broker folder missing"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def health_report() -> dict[str, str]:
    return {
        "database": database_status(),
        "database_vendor": connection.vendor,
        "broker": broker_status(),
        "broker_transport": settings.CELERY_BROKER_URL.split("://", 1)[0],
    }
