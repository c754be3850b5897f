"""People screens, mounted at /people/ under the namespace "people" (home is at / in the root)."""

from django.urls import path

from practica.people import views

app_name = "people"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("language/", views.set_language, name="set_language"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("me/tokens/", views.tokens, name="tokens"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("me/claim/", views.claim_placeholder_request, name="claim"),
    path("me/claim/<str:token>/", views.claim_placeholder_confirm, name="claim_confirm"),
    path("<int:pk>/", views.profile, name="profile"),
    path("<int:pk>/edit/", views.profile_edit, name="profile_edit_for"),
]
