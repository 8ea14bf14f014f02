"""/api/v1/evaluation/: figures per area, department and person, and an area's ranking."""

from django.urls import path

from evaluation.api.views import (
    AreaChildrenView,
    AreaEvaluationView,
    DepartmentEvaluationView,
    PersonEvaluationView,
)

app_name = "evaluation-api"

urlpatterns = [
    path("areas/<str:key>/", AreaEvaluationView.as_view(), name="area"),
    path("areas/<str:key>/children/", AreaChildrenView.as_view(), name="area-children"),
    path("departments/<str:key>/", DepartmentEvaluationView.as_view(), name="department"),
    path("people/<str:key>/", PersonEvaluationView.as_view(), name="person"),
]
