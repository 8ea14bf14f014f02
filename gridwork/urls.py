"""The registry's pages."""

app_name = "gridwork"

urlpatterns: list = []
