"""The cockpit's pages, under /work/dashboard/ (included once from config/urls.py; namespace
`cockpit`, beside the reports' `evaluation`)."""

from django.urls import path

from evaluation.web import dashboard

app_name = "cockpit"

urlpatterns = [
    path("work/dashboard/", dashboard.dashboard, name="dashboard"),
    path("work/dashboard/cases/", dashboard.cases, name="cases"),
    path("work/dashboard/obligations/", dashboard.obligations, name="obligations"),
    path("work/dashboard/heatmap.json", dashboard.heat, name="heatmap"),
]
