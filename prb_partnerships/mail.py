"""Every e-mail of the application goes out through `send_mail_template`: the invitations
(animators/services.py), the reminders and the weekly digest (partnerships/notifications.py).

An e-mail is three templates in templates/emails/: `<name>_subject.txt`, `<name>.txt` (the
text part) and `<name>.html` (the HTML alternative), rendered in Polish — the language of the
programme — whatever the language of the request that triggered it.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

# The header of automatic e-mails (RFC 3834): auto-replies ("out of office") are not sent back.
AUTO_SUBMITTED = {"Auto-Submitted": "auto-generated"}


def send_mail_template(*, template, recipient, context, headers=None) -> None:
    """Send `recipient` the e-mail `template` in Polish; the templates get `context` with the
    recipient as `user` and the address of the site as `site_url`. A failure to send raises,
    so that the caller's transaction (its record of the e-mail) rolls back."""
    with translation.override("pl"):
        context = {**context, "user": recipient, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            body=render_to_string(f"emails/{template}.txt", context),
            to=[recipient.email],
            headers=headers,
        )
        message.attach_alternative(
            render_to_string(f"emails/{template}.html", context), "text/html"
        )
    message.send()
