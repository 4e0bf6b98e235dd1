"""Public moderation URLs (under i18n_patterns, so also /ur/...)."""

from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("receipt/", views.receipt_lookup, name="receipt"),
    path("consultations/<int:page_id>/transparency/", views.transparency, name="transparency"),
    path(
        "consultations/<int:page_id>/transparency.json",
        views.transparency_json,
        name="transparency_json",
    ),
    path("appeal/", views.appeal, name="appeal"),
    path("privacy/", views.privacy_page, name="privacy"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/download.json", views.my_data_download, name="my_data_download"),
    path("my-data/receipt.json", views.receipt_data, name="receipt_data"),
    path("my-data/delete/", views.delete_account, name="delete_account"),
]
