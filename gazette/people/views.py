"""My byline: a staff member creates or edits the author profile linked to her account, with
no permission on anyone else's."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from wagtail.images.widgets import AdminImageChooser

from .models import Author


class MyBylineForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ["name", "email", "bio", "photo"]
        widgets = {"photo": AdminImageChooser}


def my_byline(request):
    author = Author.objects.filter(user=request.user).first()
    if author is None:
        full_name = request.user.get_full_name().strip()
        author = Author(user=request.user, name=full_name, email=request.user.email)
        created = True
    else:
        created = False
    form = MyBylineForm(request.POST or None, instance=author)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request,
            "Your byline is ready: your new articles start with it."
            if created
            else "Your byline is saved.",
        )
        return redirect("people_my_byline")
    return TemplateResponse(
        request,
        "people/admin/my_byline.html",
        {"form": form, "author": author, "created": created},
    )
