"""The public CAP 1.2 feed and documents (included by emergency.urls)."""

from django.urls import path

from emergency.cap import views

urlpatterns = [
    path("cap/alerts.atom", views.alert_feed, name="cap-feed"),
    path("cap/alerts/<str:identifier>.xml", views.alert_document, name="cap-alert"),
]
