from django.urls import path

from partnerships import calendar_views, history_views, practice_views, views
from partnerships.next_round_views import round_next

app_name = "partnerships"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("rounds/next/", round_next, name="round_next"),
    path("assignments/", views.assignment_board, name="assignment_board"),
    path("assignments/accept/", views.assignment_accept, name="assignment_accept"),
    path(
        "assignments/partnership/<int:partnership_pk>/",
        views.assignment_create,
        name="assignment_create",
    ),
    path("libraries/<int:library_pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/edit/", views.meeting_update, name="meeting_update"),
    path("meetings/<int:pk>/delete/", views.meeting_delete, name="meeting_delete"),
    path("libraries/<int:library_pk>/partners/new/", views.partner_create, name="partner_create"),
    path("partners/<int:pk>/edit/", views.partner_update, name="partner_update"),
    path(
        "libraries/<int:library_pk>/milestones/new/",
        views.milestone_create,
        name="milestone_create",
    ),
    path("milestones/<int:pk>/delete/", views.milestone_delete, name="milestone_delete"),
    path("libraries/<int:library_pk>/agreement/", views.agreement_edit, name="agreement_edit"),
    path(
        "libraries/<int:library_pk>/actions/new/",
        views.joint_action_create,
        name="joint_action_create",
    ),
    path("actions/<int:pk>/edit/", views.joint_action_update, name="joint_action_update"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("agreements/<int:pk>/document/", views.agreement_document, name="agreement_document"),
    path("notifications/", views.notification_settings, name="notification_settings"),
    path("calendar/<str:token>.ics", calendar_views.feed, name="calendar_feed"),
    path("calendar/new-address/", calendar_views.renew, name="calendar_feed_renew"),
    path(
        "libraries/<int:library_pk>/history/",
        history_views.partnership_history,
        name="partnership_history",
    ),
    # Good practices (partnerships/practices.py).
    path("practices/", practice_views.practice_list, name="practice_list"),
    path("practices/export.xlsx", practice_views.practice_export, name="practice_export"),
    path("practices/<int:pk>/", practice_views.practice_detail, name="practice_detail"),
    path("practices/<int:pk>/photo/", practice_views.practice_photo, name="practice_photo"),
    path("practices/<int:pk>/feature/", practice_views.practice_feature, name="practice_feature"),
    path("practices/<int:pk>/remove/", practice_views.practice_remove, name="practice_remove"),
    path(
        "meetings/<int:pk>/practice/",
        practice_views.practice_mark_meeting,
        name="practice_mark_meeting",
    ),
    path(
        "actions/<int:pk>/practice/",
        practice_views.practice_mark_action,
        name="practice_mark_action",
    ),
]
