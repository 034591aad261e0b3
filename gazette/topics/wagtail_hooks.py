from taggit.models import Tag
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from . import admin_views

register_permission_policy(Tag, admin_views.TopicPermissionPolicy(Tag))


@hooks.register("register_admin_viewset")
def register_topics_admin():
    return admin_views.TopicViewSet()


hooks.register("register_log_actions", admin_views.register_log_actions)
