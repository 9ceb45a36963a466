"""Django admin's messages, listed here only so that our Polish catalogue carries them.

Django's own Polish says them with every gendered ending at once ("został(a)(-ło) pomyślnie
zmieniony(-na)(-ne)"); ours say them without ("Zapisano: partnerstwo „…”."). A translation in
our catalogue (locale/) wins over Django's, but `makemessages` only extracts the messages it
finds in our code: hence this list. The msgids must stay exactly Django's
(django/contrib/admin/options.py, templates/admin/*.html). Nothing imports this module.
"""

from django.utils.translation import gettext_noop

ADMIN_MESSAGES = [
    # Success messages after a save or a delete (ModelAdmin.response_add / response_change /
    # response_delete).
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop(
        "The {name} “{obj}” was changed successfully. You may add another {name} below."
    ),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    # The list's action and the related-object links of a form.
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("Change selected %(model)s"),
    gettext_noop("Add another %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("View selected %(model)s"),
    # The admin's sign-in page, to someone signed in without access to the admin (Django's
    # Polish: "Czy chciałbyś zalogować się na inne konto?").
    gettext_noop(
        "You are authenticated as %(username)s, but are not authorized to access this "
        "page. Would you like to login to a different account?"
    ),
]
