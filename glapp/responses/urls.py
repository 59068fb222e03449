
app_name = "responses"
urlpatterns: list = []
