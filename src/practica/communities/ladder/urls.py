"""The community ladder screens, added to communities/urls.py (namespace "communities")."""

from django.urls import URLPattern, path

from practica.communities.ladder import opportunity_views, views

urlpatterns: list[URLPattern] = [
    path("<slug:slug>/ladder/", views.ladder, name="ladder"),
    path("<slug:slug>/ladder/rungs/", views.ladder_rungs, name="ladder_rungs"),
    path("<slug:slug>/ladder/rungs/add/", views.ladder_rung_add, name="ladder_rung_add"),
    path("<slug:slug>/ladder/rungs/default/", views.ladder_default, name="ladder_default"),
    path("<slug:slug>/ladder/rungs/<int:pk>/", views.ladder_rung_edit, name="ladder_rung_edit"),
    path(
        "<slug:slug>/ladder/rungs/<int:pk>/move/", views.ladder_rung_move, name="ladder_rung_move"
    ),
    path(
        "<slug:slug>/ladder/rungs/<int:pk>/delete/",
        views.ladder_rung_delete,
        name="ladder_rung_delete",
    ),
    path("<slug:slug>/ladder/people/<int:person_id>/", views.ladder_person, name="ladder_person"),
    path(
        "<slug:slug>/ladder/people/<int:person_id>/rung/",
        views.ladder_set_rung,
        name="ladder_set_rung",
    ),
    path("<slug:slug>/ladder/people/<int:person_id>/ask/", views.ladder_ask, name="ladder_ask"),
    path("<slug:slug>/ladder/suggestions/", views.ladder_suggestions, name="ladder_suggestions"),
    path("<slug:slug>/opportunities/", opportunity_views.opportunities, name="opportunities"),
    path(
        "<slug:slug>/opportunities/new/",
        opportunity_views.opportunities_new,
        name="opportunities_new",
    ),
    path(
        "<slug:slug>/opportunities/<int:pk>/",
        opportunity_views.opportunities_detail,
        name="opportunities_detail",
    ),
    path(
        "<slug:slug>/opportunities/<int:pk>/edit/",
        opportunity_views.opportunities_edit,
        name="opportunities_edit",
    ),
    path(
        "<slug:slug>/opportunities/<int:pk>/close/",
        opportunity_views.opportunities_close,
        name="opportunities_close",
    ),
    path(
        "<slug:slug>/opportunities/<int:pk>/volunteer/",
        opportunity_views.opportunities_volunteer,
        name="opportunities_volunteer",
    ),
    path(
        "<slug:slug>/opportunities/<int:pk>/withdraw/",
        opportunity_views.opportunities_withdraw,
        name="opportunities_withdraw",
    ),
    path(
        "<slug:slug>/opportunities/<int:pk>/volunteers/<int:volunteer>/accept/",
        opportunity_views.opportunities_accept,
        name="opportunities_accept",
    ),
    path(
        "<slug:slug>/opportunities/<int:pk>/volunteers/<int:volunteer>/decline/",
        opportunity_views.opportunities_decline,
        name="opportunities_decline",
    ),
]
