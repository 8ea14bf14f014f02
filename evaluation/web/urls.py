"""The cockpit's pages (included once from config/urls.py)."""

from django.urls import path

from evaluation.web import dashboard

app_name = "evaluation"

urlpatterns = [
    path("work/dashboard/", dashboard.dashboard, name="dashboard"),
    path("work/dashboard/cases/", dashboard.cases, name="cases"),
    path("work/dashboard/obligations/", dashboard.obligations, name="obligations"),
    path("work/dashboard/heatmap.json", dashboard.heat, name="heatmap"),
    path("work/dashboard/report/", dashboard.report_print, name="report_print"),
]
