from django.urls import path

from animators import views

app_name = "animators"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("<int:pk>/invite/", views.person_invite, name="person_invite"),
    path("<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("<int:pk>/anonymise/", views.person_anonymise, name="person_anonymise"),
    path(
        "partners/<int:pk>/anonymise/",
        views.partner_contact_anonymise,
        name="partner_contact_anonymise",
    ),
]
