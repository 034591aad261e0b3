from django.urls import path

from . import views

# Mounted under the Wagtail admin by wagtail_hooks (so admin access is required).
urlpatterns = [
    path("two-factor/", views.ManageView.as_view(), name="twofactor_manage"),
    path("two-factor/remove/", views.RemoveView.as_view(), name="twofactor_remove"),
    path("two-factor/verify/", views.VerifyView.as_view(), name="twofactor_verify"),
]
