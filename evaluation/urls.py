"""The evaluation's pages."""

from django.urls import path

from evaluation.callback import views as callback

app_name = "callback"

urlpatterns = [
    path("callback/<str:token>/", callback.answer_by_link, name="callback"),
    path("requests/<str:tracking_id>/callback/", callback.answer_own, name="callback_own"),
    path("work/cases/<str:tracking_id>/callback/", callback.answer_by_phone, name="callback_phone"),
    path(
        "work/cases/<str:tracking_id>/callback/review/",
        callback.conclude_review,
        name="callback_review",
    ),
]
