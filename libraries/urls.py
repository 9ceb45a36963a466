from django.urls import path

from libraries import views

app_name = "libraries"

urlpatterns = [
    path("mine/", views.library_mine, name="library_mine"),
    path("<int:pk>/", views.library_detail, name="library_detail"),
]
