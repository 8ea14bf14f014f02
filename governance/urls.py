from django.urls import path

from governance.web import areas, bulk, cases, files, filing, maps, queue, saved_filters

app_name = "governance"

urlpatterns = [
    path("work/", queue.queue, name="work"),
    path("work/queue/", queue.queue, name="queue"),
    path("work/queue/list/", queue.queue_list, name="queue_list"),
    path("work/queue/areas/", queue.area_suggestions, name="area_suggestions"),
    path("work/queue/dispatch/", bulk.bulk_dispatch, name="bulk_dispatch"),
    path("work/queue/bulk/", bulk.bulk_action, name="bulk_action"),
    path("work/queue/filters/", saved_filters.save_filter, name="saved_filter_save"),
    path(
        "work/queue/filters/<int:pk>/delete/",
        saved_filters.delete_filter,
        name="saved_filter_delete",
    ),
    path("work/cases/<str:tracking_id>/", cases.case_detail, name="case"),
    path("work/cases/<str:tracking_id>/live/", cases.case_live, name="case_live"),
    path("work/cases/<str:tracking_id>/actions/", cases.case_actions, name="case_actions"),
    path("work/cases/<str:tracking_id>/act/<slug:name>/", cases.case_act, name="case_act"),
    path(
        "work/cases/<str:tracking_id>/insert/<slug:name>/",
        cases.case_insert_template,
        name="case_insert",
    ),
    path("work/file/", filing.file_case, name="file"),
    path("work/areas/", areas.area_tree, name="areas"),
    path("files/<int:pk>/", files.attachment, name="attachment"),
    path("files/<int:pk>/<str:size>/", files.attachment, name="attachment_size"),
    path("map/grids.geojson", maps.grids_geojson, name="grids_geojson"),
]
