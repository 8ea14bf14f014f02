from django.urls import re_path

from sensing import sta

app_name = "sensing"

urlpatterns = [
    re_path(r"^sta/v1\.1/Things$", sta.things, name="sta-things"),
    re_path(r"^sta/v1\.1/Things\((?P<pk>\d+)\)$", sta.thing, name="sta-thing"),
    re_path(
        r"^sta/v1\.1/Things\((?P<thing_pk>\d+)\)/Datastreams$",
        sta.datastreams,
        name="sta-thing-datastreams",
    ),
    re_path(r"^sta/v1\.1/Datastreams$", sta.datastreams, name="sta-datastreams"),
    re_path(r"^sta/v1\.1/Datastreams\((?P<pk>\d+)\)$", sta.datastream, name="sta-datastream"),
    re_path(
        r"^sta/v1\.1/Datastreams\((?P<pk>\d+)\)/Observations$",
        sta.datastream_observations,
        name="sta-datastream-observations",
    ),
    re_path(r"^sta/v1\.1/Observations$", sta.observations, name="sta-observations"),
    re_path(
        r"^sta/v1\.1/CreateObservations$", sta.create_observations, name="sta-create-observations"
    ),
]
