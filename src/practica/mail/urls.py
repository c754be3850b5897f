"""List screens, mounted at /lists/ under the namespace "mail"."""

from django.urls import path

from practica.mail import views

app_name = "mail"

urlpatterns = [
    path("delivery/", views.deliveries, name="deliveries"),
    path("delivery/resume/", views.resume_delivery, name="resume_delivery"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/manage/moderation/", views.moderation, name="moderation"),
    path("<slug:slug>/manage/bounces/", views.bounces, name="bounces"),
    path("<slug:slug>/manage/outbox/", views.outbox, name="outbox"),
    path("<slug:slug>/manage/settings/", views.list_settings, name="settings"),
    path(
        "<slug:slug>/manage/subscribers/<int:person_id>/delivery/",
        views.subscriber_delivery,
        name="subscriber_delivery",
    ),
    path("<slug:slug>/manage/held/<int:pk>/approve/", views.approve_held, name="approve"),
    path("<slug:slug>/manage/held/<int:pk>/discard/", views.discard_held, name="discard"),
]
