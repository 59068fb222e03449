from ninja import NinjaAPI

api = NinjaAPI(title="glapp API", version="1", urls_namespace="api")
