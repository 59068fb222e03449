"""URL routes (filled in by the views that use them)."""

urlpatterns: list = []
