"""The newsroom's third role, next to Wagtail's "Editors" and "Moderators": Contributors.

A contributor writes: creates article pages, edits the ones they created, submits them for
moderation and uploads images. A contributor never publishes and never changes or deletes a
colleague's story or picture (their own they may: Wagtail's ownership rule).

Wagtail's "add" page permission already covers editing one's own pages ("Any user with
'add' permission has the ability to edit pages they own"); "change" would let a contributor
rewrite any story, the sections and the home page, and "publish" is the editors' and
moderators' call. The permission sits on the tree's root, as Wagtail's own groups' do: the
home page is made after the migrations (gazette.home.services.ensure_home_page), and a root
permission covers every page now and later. Image permissions sit on the root collection.

Running it again changes nothing; reversing it deletes the group and, with it, its
permission rows.
"""

from django.db import migrations

GROUP_NAME = "Contributors"
PAGE_PERMISSIONS = ("add_page",)
IMAGE_PERMISSIONS = ("add_image", "choose_image")


def _permission(apps, app_label: str, model: str, codename: str):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    # Wagtail's migrations create these; get_or_create keeps this one safe on its own.
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": f"Can {codename.replace('_', ' ')}"},
    )
    return permission


def create_contributors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(_permission(apps, "wagtailadmin", "admin", "access_admin"))

    root_page = Page.objects.filter(depth=1).order_by("path").first()
    if root_page is not None:
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=root_page,
                permission=_permission(apps, "wagtailcore", "page", codename),
            )

    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    if root_collection is not None:
        for codename in IMAGE_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root_collection,
                permission=_permission(apps, "wagtailimages", "image", codename),
            )


def delete_contributors(apps, schema_editor):
    # Page and collection permission rows go with the group (on_delete=CASCADE).
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0001_initial"),
        # Page permissions as django Permission rows (add_page, change_page, publish_page...).
        ("wagtailcore", "0090_remove_grouppagepermission_permission_type"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0023_add_choose_permissions"),
    ]

    operations = [migrations.RunPython(create_contributors, delete_contributors)]
