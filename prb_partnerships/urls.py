from django.contrib import admin
from django.urls import include, path

from prb_partnerships import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("libraries/", include("libraries.urls")),
    path("people/", include("animators.urls")),
    path("", include("partnerships.urls")),
]
