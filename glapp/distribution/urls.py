"""Invitation pages (rates, policy, a customer's history) and the respondent-facing open pixel
and unsubscribe page."""

from django.urls import path

from glapp.distribution import views

app_name = "distribution"
urlpatterns = [
    path("r/<str:token>/o.gif", views.open_pixel, name="open_pixel"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/policy/", views.policy, name="policy"),
    # A path, not a str: a customer id in the organization's systems may hold "/" ("K/2024/17").
    path("customers/<path:external_id>/", views.customer, name="customer"),
]
