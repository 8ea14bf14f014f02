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
    path("areas/<str:area_code>/", AreaEvaluationView.as_view(), name="area"),
    path("areas/<str:area_code>/children/", AreaChildrenView.as_view(), name="area-children"),
    path(
        "departments/<str:department_code>/", DepartmentEvaluationView.as_view(), name="department"
    ),
    path("people/<str:username>/", PersonEvaluationView.as_view(), name="person"),
]
