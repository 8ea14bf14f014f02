"""The notices' pages (included by emergency/urls.py, in its "emergency" namespace)."""

from django.urls import path

from emergency.web import notices as notice_pages
from emergency.web import revisions

urlpatterns = [
    path("e/a/<str:token>/", notice_pages.answer, name="answer"),
    path("work/emergency/my-notices/", notice_pages.my_notices, name="my_notices"),
    path("work/emergency/notices/", notice_pages.notice_list, name="notices"),
    path("work/emergency/notices/new/", notice_pages.notice_new, name="notice_new"),
    path(
        "work/emergency/notices/<int:notice_id>/roll-call/",
        notice_pages.rollcall_page,
        name="rollcall",
    ),
    path(
        "work/emergency/notices/<int:notice_id>/roll-call/data/",
        notice_pages.rollcall_data,
        name="rollcall_data",
    ),
    path("work/emergency/notices/<int:notice_id>/update/", revisions.update, name="notice_update"),
    path("work/emergency/notices/<int:notice_id>/cancel/", revisions.cancel, name="notice_cancel"),
    path("emergency/residence/", notice_pages.residence, name="residence"),
]
