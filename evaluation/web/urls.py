"""/work/evaluation/: the evaluation's pages (reports)."""

from django.urls import path

from evaluation.web import reports

app_name = "evaluation"

urlpatterns = [
    path("reports/", reports.reports_index, name="reports"),
    path("reports/<str:area_code>/", reports.area_report, name="report"),
    path("reports/<str:area_code>/report.csv", reports.area_report_csv, name="report_csv"),
    path("reports/<str:area_code>/report.xlsx", reports.area_report_xlsx, name="report_xlsx"),
]
