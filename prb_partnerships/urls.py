from django.contrib import admin
from django.urls import include, path

from animators import views as animators_views
from prb_partnerships import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("libraries/", include("libraries.urls")),
    path("people/", include("animators.urls")),
    path("account/", animators_views.account, name="account"),
    path("account/data.json", animators_views.account_data, name="account_data"),
    path("", include("partnerships.urls")),
]

handler500 = "prb_partnerships.errors.server_error"
