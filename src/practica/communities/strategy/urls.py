"""The community strategy screens, added to communities/urls.py (namespace "communities")."""

from django.urls import URLPattern, path

from practica.communities.strategy import editor_views, maturity_views, views

urlpatterns: list[URLPattern] = [
    path("<slug:slug>/strategy/", views.strategy, name="strategy"),
    path("<slug:slug>/strategy/versions/", views.strategy_versions_page, name="strategy_versions"),
    path(
        "<slug:slug>/strategy/versions/<int:number>/",
        views.strategy_version_page,
        name="strategy_version",
    ),
    path("<slug:slug>/strategy/compare/", views.strategy_compare, name="strategy_compare"),
    path("<slug:slug>/strategy/draft/start/", editor_views.strategy_start, name="strategy_start"),
    path("<slug:slug>/strategy/draft/", editor_views.strategy_edit, name="strategy_edit"),
    path(
        "<slug:slug>/strategy/draft/approve/",
        editor_views.strategy_approve,
        name="strategy_approve",
    ),
    path(
        "<slug:slug>/strategy/draft/discard/",
        editor_views.strategy_discard,
        name="strategy_discard",
    ),
    path(
        "<slug:slug>/strategy/maturity/",
        maturity_views.strategy_maturity,
        name="strategy_maturity",
    ),
    path(
        "<slug:slug>/strategy/maturity/new/",
        maturity_views.strategy_maturity_new,
        name="strategy_maturity_new",
    ),
    path(
        "<slug:slug>/strategy/maturity/<int:pk>/",
        maturity_views.strategy_maturity_detail,
        name="strategy_maturity_detail",
    ),
]
