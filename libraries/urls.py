from django.urls import path

from libraries import views

app_name = "libraries"

urlpatterns = [
    path("", views.library_list, name="library_list"),
    path("export.<str:fmt>", views.library_export, name="library_export"),
    path("mine/", views.library_mine, name="library_mine"),
    path("<int:pk>/", views.library_detail, name="library_detail"),
]
