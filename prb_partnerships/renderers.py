"""How form fields are drawn: Django's own widget templates, in their Jinja2 edition.

The meeting form's checkboxes and options are a few hundred small templates per page; the Django
template engine spent most of the form's time on them. Django ships every widget template twice
(`django/forms/templates` and `django/forms/jinja2`, the same markup), and Jinja2 renders them
several times faster. A template that only the Django engine has — the admin's widgets — is
rendered by it, as before. Texts are not translated in widget templates, so the pages keep one
translation mechanism (Django's).
"""

from pathlib import Path

import django.forms
from django.forms.renderers import BaseRenderer, DjangoTemplates
from django.template import TemplateDoesNotExist
from django.template.backends.jinja2 import Jinja2


class WidgetRenderer(BaseRenderer):
    """Jinja2 for the widget templates it has, the Django engine for the others. Ours first
    (prb_partnerships/jinja2: the lists of choices written in one template instead of one
    per choice, the same markup), then Django's."""

    def __init__(self):
        self.fast = Jinja2(
            {
                "APP_DIRS": False,
                "DIRS": [
                    Path(__file__).parent / "jinja2",
                    Path(django.forms.__file__).parent / "jinja2",
                ],
                "NAME": "prb_widgets",
                "OPTIONS": {},
            }
        )
        self.usual = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self.fast.get_template(template_name)
        except TemplateDoesNotExist:
            return self.usual.get_template(template_name)
