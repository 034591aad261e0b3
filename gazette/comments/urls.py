from django.urls import path

from . import views

app_name = "comments"
urlpatterns = [
    path("<int:article_id>/post/", views.post_comment, name="post"),
    path("report/<int:comment_id>/", views.report_comment, name="report"),
    path("<int:comment_id>/reply/", views.reply_form, name="reply"),
    path("stop-reply-emails/<str:token>/", views.stop_reply_emails, name="stop_reply_emails"),
]
