from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "gazette.images"
    label = "images"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import CustomImage

        # Reader pages keep figures as HTML in the shared parts (the article's body): a
        # caption, credit or alt text changed must show at once.
        for signal in (post_save, post_delete):
            signal.connect(
                _retire_shared_parts, sender=CustomImage, dispatch_uid="images-retire-shared-parts"
            )


def _retire_shared_parts(sender, **kwargs) -> None:
    from gazette.core import shared_parts

    if not kwargs.get("raw"):
        shared_parts.retire()
