"""Community screens, mounted at /communities/ under the namespace "communities"."""

from django.urls import path

from practica.communities import group_views, views
from practica.communities.ladder import urls as ladder_urls
from practica.communities.strategy import urls as strategy_urls

app_name = "communities"

urlpatterns = [
    path("", views.community_list, name="list"),
    path("<slug:slug>/", views.community_detail, name="detail"),
    path("<slug:slug>/members/", views.community_members, name="members"),
    path("<slug:slug>/manage/", views.community_manage, name="manage"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/request/", views.request_to_join, name="request"),
    path("<slug:slug>/request/withdraw/", views.withdraw_request, name="withdraw"),
    path("<slug:slug>/requests/<int:pk>/approve/", views.approve_request, name="approve"),
    path("<slug:slug>/requests/<int:pk>/decline/", views.decline_request, name="decline"),
    path("<slug:slug>/members/add/", views.add_member, name="add_member"),
    path("<slug:slug>/members/<int:pk>/role/", views.change_role, name="change_role"),
    path("<slug:slug>/members/<int:pk>/remove/", views.remove_member, name="remove"),
    path("<slug:slug>/groups/", group_views.group_list, name="groups"),
    path("<slug:slug>/groups/new/", group_views.group_create, name="group_create"),
    path("<slug:slug>/groups/<slug:group>/", group_views.group_detail, name="group"),
    path("<slug:slug>/groups/<slug:group>/edit/", group_views.group_edit, name="group_edit"),
    path(
        "<slug:slug>/groups/<slug:group>/archive/",
        group_views.group_archive,
        name="group_archive",
    ),
    path("<slug:slug>/groups/<slug:group>/reopen/", group_views.group_reopen, name="group_reopen"),
    path("<slug:slug>/groups/<slug:group>/join/", group_views.group_join, name="group_join"),
    path("<slug:slug>/groups/<slug:group>/leave/", group_views.group_leave, name="group_leave"),
    path(
        "<slug:slug>/groups/<slug:group>/members/",
        group_views.group_members_page,
        name="group_members",
    ),
    path(
        "<slug:slug>/groups/<slug:group>/members/add/",
        group_views.group_member_add,
        name="group_member_add",
    ),
    path(
        "<slug:slug>/groups/<slug:group>/members/<int:pk>/role/",
        group_views.group_member_role,
        name="group_member_role",
    ),
    path(
        "<slug:slug>/groups/<slug:group>/members/<int:pk>/remove/",
        group_views.group_member_remove,
        name="group_member_remove",
    ),
]

urlpatterns += strategy_urls.urlpatterns
urlpatterns += ladder_urls.urlpatterns
