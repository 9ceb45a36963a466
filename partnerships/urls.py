from django.urls import path

from partnerships import views

app_name = "partnerships"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("assignments/", views.assignment_board, name="assignment_board"),
    path("assignments/accept/", views.assignment_accept, name="assignment_accept"),
    path(
        "assignments/partnership/<int:partnership_pk>/",
        views.assignment_create,
        name="assignment_create",
    ),
]
