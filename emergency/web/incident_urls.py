"""/work/emergency/incidents/… and /work/emergency/tasks/…: incidents, their board, plan tasks
and reports (included by emergency.urls)."""

from django.urls import path

from emergency.web import actions, incidents, reports, tasks

urlpatterns = [
    path("work/emergency/incidents/", incidents.incident_list, name="incidents"),
    path("work/emergency/incidents/new/", incidents.declare, name="declare"),
    path("work/emergency/incidents/<int:incident_id>/", incidents.board, name="incident"),
    path(
        "work/emergency/incidents/<int:incident_id>/map.geojson",
        incidents.map_geojson,
        name="incident_map",
    ),
    path(
        "work/emergency/incidents/<int:incident_id>/areas/",
        incidents.change_areas,
        name="incident_areas",
    ),
    path(
        "work/emergency/incidents/<int:incident_id>/status/",
        actions.change_status,
        name="incident_status",
    ),
    path(
        "work/emergency/incidents/<int:incident_id>/level/",
        actions.change_level,
        name="incident_level",
    ),
    path(
        "work/emergency/incidents/<int:incident_id>/note/", actions.add_note, name="incident_note"
    ),
    path("work/emergency/incidents/<int:incident_id>/link/", actions.link_cases, name="link_cases"),
    path(
        "work/emergency/incidents/<int:incident_id>/unlink/<int:case_id>/",
        actions.unlink_case,
        name="unlink_case",
    ),
    path("work/emergency/incidents/<int:incident_id>/together/", actions.together, name="together"),
    path("work/emergency/incidents/<int:incident_id>/activate/", actions.activate, name="activate"),
    path("work/emergency/incidents/<int:incident_id>/report/", reports.report_page, name="report"),
    path(
        "work/emergency/incidents/<int:incident_id>/report.xlsx",
        reports.report_xlsx,
        name="report_xlsx",
    ),
    path("work/emergency/tasks/", tasks.my_tasks, name="my_tasks"),
    path("work/emergency/tasks/<int:task_id>/feedback/", actions.feedback, name="task_feedback"),
]
