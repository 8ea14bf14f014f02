from csp.constants import SELF
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

# Redoc runs an inline start-up script, styles itself with injected <style> elements and
# starts a worker from a blob: its page alone gets a looser policy (added to the site's).
# Swagger UI's "split" view loads its start-up script as a file and needs nothing more.
redoc_policy = csp_update(
    {
        "script-src": ["'unsafe-inline'", "blob:"],
        "style-src": ["'unsafe-inline'"],
        "worker-src": [SELF, "blob:"],
        "img-src": ["https://cdn.redoc.ly"],  # Redoc's own "powered by" logo
    }
)

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("citizens.urls")),
    path("api/v1/evaluation/", include("evaluation.api.urls")),
    path("api/v1/emergency/", include("emergency.api.urls")),
    path("api/v1/gridwork/", include("gridwork.api.urls")),
    path("api/v1/sensing/", include("sensing.api.urls")),
    path("", include("evaluation.urls")),
    path("api/v1/", include("governance.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="swagger-ui",
    ),
    path(
        "api/redoc/",
        redoc_policy(
            SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
    path("open311/v2/", include("governance.open311.urls")),
    path("work/evaluation/", include("evaluation.web.urls")),
    path("", include("governance.urls")),
    path("", include("evaluation.web.cockpit_urls")),
    path("", include("emergency.urls")),
    path("", include("gridwork.urls")),
    path("", include("sensing.urls")),
    path("", include("sensing.web.urls")),
    path("", include("sensing.pages_urls")),
]

# Nothing under MEDIA_URL is served, in development or production: every stored file is opened
# through governance:attachment, which applies its audience (governance.file_access).

handler400 = "governance.web.errors.bad_request"
handler403 = "governance.web.errors.permission_denied"
handler404 = "governance.web.errors.page_not_found"
handler500 = "governance.web.errors.server_error"
