from django.urls import path

from partnerships import history_views, views
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
    path(
        "libraries/<int:library_pk>/history/",
        history_views.partnership_history,
        name="partnership_history",
    ),
]
