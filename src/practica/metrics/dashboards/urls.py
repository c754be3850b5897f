"""The dashboards' addresses, under /metrics/ (namespace "metrics")."""

from django.urls import path, re_path

from practica.metrics.dashboards import community_views, month_views, program_views

urlpatterns = [
    path(
        "communities/<slug:slug>/",
        community_views.community_dashboard,
        name="community_dashboard",
    ),
    path(
        "communities/<slug:slug>/tables/<slug:panel>/<slug:table>.csv",
        community_views.community_table_csv,
        name="community_table_csv",
    ),
    path(
        "communities/<slug:slug>/this-month/",
        month_views.month_summary_page,
        name="month_summary",
    ),
    path("communities/<slug:slug>/report/", month_views.latest_report, name="latest_report"),
    re_path(
        r"^communities/(?P<slug>[-a-zA-Z0-9_]+)/report/(?P<year>[0-9]{4})-(?P<month>[0-9]{2})/$",
        month_views.monthly_report,
        name="monthly_report",
    ),
    path("programs/<slug:slug>/", program_views.program_dashboard, name="program_dashboard"),
    path(
        "programs/<slug:slug>/comparison.csv",
        program_views.program_comparison_csv,
        name="program_comparison_csv",
    ),
]
