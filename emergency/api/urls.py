"""The emergency app's REST endpoints (under /api/v1/emergency/)."""

from django.urls import path

from emergency.api import notices

app_name = "emergency-api"

urlpatterns = [
    path("notices/", notices.NoticeListView.as_view(), name="notices"),
    path("notices/<int:notice_id>/", notices.NoticeDetailView.as_view(), name="notice"),
    path(
        "notices/<int:notice_id>/recipients/",
        notices.NoticeRecipientsView.as_view(),
        name="notice-recipients",
    ),
    path("answers/", notices.AnswerView.as_view(), name="answers"),
]
