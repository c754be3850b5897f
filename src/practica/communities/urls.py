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
    path("<slug:slug>/groups/<slug:group>/", group_views.group_detail, name="group"),
]

urlpatterns += strategy_urls.urlpatterns
urlpatterns += ladder_urls.urlpatterns
