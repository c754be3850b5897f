"""The program screens (directory, calendar, dashboard, management), mounted at /programs/
under the namespace "programs"."""

from django.urls import URLPattern, path

from practica.communities.program import calendar_views, dashboard_views, manage_views, views

app_name = "programs"

urlpatterns: list[URLPattern] = [
    path("", views.program_list, name="list"),
    path("<slug:slug>/", views.program_detail, name="detail"),
    path("<slug:slug>/calendar/", calendar_views.program_calendar_page, name="calendar"),
    path("<slug:slug>/calendar.ics", calendar_views.program_calendar_feed, name="calendar_ics"),
    path("<slug:slug>/dashboard/", dashboard_views.program_dashboard_page, name="dashboard"),
    path("<slug:slug>/dashboard.csv", dashboard_views.program_dashboard_csv, name="dashboard_csv"),
    path("<slug:slug>/manage/", manage_views.program_manage, name="manage"),
    path(
        "<slug:slug>/manage/description/",
        manage_views.program_edit_description,
        name="edit_description",
    ),
    path("<slug:slug>/manage/office/", manage_views.program_add_office_member, name="add_office"),
    path(
        "<slug:slug>/manage/office/<int:pk>/remove/",
        manage_views.program_remove_office_member,
        name="remove_office",
    ),
    path(
        "<slug:slug>/manage/communities/",
        manage_views.program_add_community,
        name="add_community",
    ),
    path(
        "<slug:slug>/manage/communities/<slug:community>/remove/",
        manage_views.program_remove_community,
        name="remove_community",
    ),
]
