"""Event screens, mounted at /events/ under the namespace "events"."""

from django.urls import path

from practica.events.views import (
    ama,
    attendance,
    calendar,
    costs,
    events,
    feedback,
    groups,
    library,
    planning,
    scheduling,
)

app_name = "events"

urlpatterns = [
    # The list and an event's page
    path("", events.event_list, name="list"),
    path("<int:pk>/", events.event_detail, name="detail"),
    # Registration
    path("<int:pk>/register/", events.register, name="register"),
    path("<int:pk>/register/cancel/", events.cancel_registration, name="cancel_registration"),
    path("<int:pk>/offer/confirm/", events.confirm_offer, name="confirm_offer"),
    path("<int:pk>/offer/decline/", events.decline_offer, name="decline_offer"),
    # Scheduling, for organizers
    path("communities/<slug:slug>/new/", scheduling.schedule_event, name="schedule"),
    path("communities/<slug:slug>/clashes/", scheduling.clash_check, name="clash_check"),
    path("<int:pk>/edit/", scheduling.edit_event, name="edit"),
    path("<int:pk>/publish/", scheduling.publish_event, name="publish"),
    path("<int:pk>/cancel/", scheduling.cancel_event, name="cancel"),
    # The content calendar (organizers and managers)
    path("communities/<slug:slug>/calendar/", planning.planning_calendar, name="planning"),
    path(
        "communities/<slug:slug>/calendar/target/",
        planning.set_cadence_target,
        name="cadence_target",
    ),
    # Calendars: an event's .ics, the member's feed addresses, and the feeds themselves
    path("<int:pk>/calendar.ics", calendar.event_calendar, name="event_ics"),
    path("calendar/", calendar.calendar_feeds, name="calendar_feeds"),
    path("calendar/create/", calendar.issue_feed_token, name="calendar_issue"),
    path("calendar/renew/", calendar.rotate_feed_token, name="calendar_rotate"),
    path("calendar/revoke/", calendar.revoke_feed_token, name="calendar_revoke"),
    path("feeds/<str:secret>/mine.ics", calendar.my_feed, name="feed_mine"),
    path("feeds/<str:secret>/all.ics", calendar.all_feed, name="feed_all"),
    path(
        "feeds/<str:secret>/community/<slug:slug>.ics",
        calendar.community_feed,
        name="feed_community",
    ),
    path("feeds/<str:secret>/program/<slug:slug>.ics", calendar.program_feed, name="feed_program"),
    path(
        "feeds/<str:secret>/community/<slug:community>/groups/<slug:group>.ics",
        calendar.group_feed,
        name="feed_group",
    ),
    # A grassroots group's meetings
    path(
        "communities/<slug:community>/groups/<slug:group>/calendar/",
        groups.group_calendar,
        name="group_calendar",
    ),
    # Attendance and after (check-in, materials and the library, feedback, AMA, costs)
    path("<int:pk>/check-in/", attendance.checkin_list, name="checkin"),
    path(
        "<int:pk>/check-in/registrations/<int:registration_pk>/",
        attendance.check_in,
        name="check_in",
    ),
    path("<int:pk>/check-in/walk-in/", attendance.walk_in, name="walk_in"),
    path("<int:pk>/check-in/import/", attendance.checkin_import, name="checkin_import"),
    path("<int:pk>/check-in/close/", attendance.close_attendance, name="close_attendance"),
    path("<int:pk>/check-in/self/", attendance.self_check_in, name="self_check_in"),
    path("library/", library.library, name="library"),
    path("<int:pk>/materials/", library.event_materials, name="materials"),
    path("materials/<int:pk>/remove/", library.remove_material, name="remove_material"),
    path("<int:pk>/feedback/", feedback.feedback, name="feedback"),
    path("<int:pk>/feedback/results/", feedback.feedback_results, name="feedback_results"),
    path("<int:pk>/ama/", ama.ama_page, name="ama"),
    path("<int:pk>/ama/board/", ama.board, name="ama_board"),
    path("ama/questions/<int:pk>/vote/", ama.vote, name="ama_vote"),
    path("ama/questions/<int:pk>/moderate/", ama.moderate, name="ama_moderate"),
    path("<int:pk>/costs/", costs.cost_list, name="costs"),
    path("costs/<int:pk>/edit/", costs.cost_edit, name="cost_edit"),
    path("costs/<int:pk>/remove/", costs.cost_remove, name="cost_remove"),
]
