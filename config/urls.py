from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("citizens.urls")),
    path("api/v1/", include("governance.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("open311/v2/", include("governance.open311.urls")),
    path("", include("governance.urls")),
]

# Nothing under MEDIA_URL is served, in development or production: every stored file is opened
# through governance:attachment, which applies its audience (governance.file_access).
