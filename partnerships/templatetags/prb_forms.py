"""What the shared field partial (templates/partials/form_fields.html) and the error summary
(templates/partials/error_summary.html) ask of a form.

One convention across the application: **optional fields are marked "(optional)"**
("(opcjonalnie)"), required ones are not marked in words (their inputs carry `required`, which
screen readers announce). A form whose fields are all optional — the filters of a list — marks
nothing, since there every field is optional; check boxes are never marked (unticked is an
answer). The error summary lists each failing field as a link to its input, in the order of the
page, after the errors that belong to no field.
"""

from dataclasses import dataclass

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _marked(bound) -> bool:
    return bound.widget_type != "checkbox" and not bound.is_hidden


@register.filter
def marks_optional(form) -> bool:
    """Mark the optional fields of `form`: it has at least one required field to tell apart."""
    return any(bound.field.required for bound in form.visible_fields() if _marked(bound))


@register.filter
def is_optional(bound) -> bool:
    return not bound.field.required and _marked(bound)


def input_id(bound) -> str:
    """The id of the input a summary link leads to: the first choice of a radio or checkbox
    list (whose label belongs to no single input), else the field's input."""
    if bound.use_fieldset:
        return f"{bound.auto_id}_0"
    return bound.id_for_label or bound.auto_id


@dataclass
class SummaryItem:
    message: str
    label: str = ""
    target: str = ""


def _form_items(form) -> list[SummaryItem]:
    if form is None or not form.is_bound:
        return []
    items = [SummaryItem(str(error)) for error in form.non_field_errors()]
    for bound in form:
        if bound.is_hidden:
            items.extend(SummaryItem(str(error)) for error in bound.errors)
            continue
        items.extend(
            SummaryItem(str(error), str(bound.label), input_id(bound)) for error in bound.errors
        )
    return items


@register.simple_tag
def error_summary_items(form, formset=None) -> list[SummaryItem]:
    """Every error of `form` (and of `formset`, if given) as a line of the summary."""
    items = _form_items(form)
    if formset is not None and formset.is_bound:
        items.extend(SummaryItem(str(error)) for error in formset.non_form_errors())
        for subform in formset:
            items.extend(_form_items(subform))
    return items


@register.simple_tag
def field_row(bound, mark_optional) -> str:
    """One field of templates/partials/form_fields.html: its label (a legend for a list of
    choices), "(optional)" where `mark_optional` says so, its hint and errors tied to the input,
    and the input. Written here rather than in the partial: it is drawn for every field of every
    form, and the template engine took most of a form page's time on it."""
    checkbox = bound.widget_type == "checkbox"
    fieldset = bound.use_fieldset and not checkbox
    errors = bound.errors
    optional = (
        format_html(' <span class="optional">{}</span>', _("(optional)"))
        if mark_optional and is_optional(bound)
        else ""
    )
    hint = (
        format_html(
            '<p class="help" id="{}_helptext">{}</p>', bound.auto_id, mark_safe(bound.help_text)
        )
        if bound.help_text
        else ""
    )
    error_lines = (
        format_html(
            '<div class="error" id="{}_error">{}</div>',
            bound.auto_id,
            format_html_join(
                "",
                '<p><span class="visually-hidden">{} </span>{}</p>',
                ((_("Error:"), error) for error in errors),
            ),
        )
        if errors
        else ""
    )
    classes = " ".join(
        name
        for name, on in (("field", True), ("field--error", errors), ("field--checkbox", checkbox))
        if on
    )
    if checkbox:
        body = format_html(
            '{} <label for="{}">{}</label>{}{}', bound, bound.id_for_label, bound.label, hint,
            error_lines,
        )
    elif fieldset:
        described = " ".join(
            part
            for part in (
                f"{bound.auto_id}_helptext" if bound.help_text else "",
                f"{bound.auto_id}_error" if errors else "",
            )
            if part
        )
        body = format_html(
            '<fieldset class="choices"{}><legend>{}{}</legend>{}{}{}</fieldset>',
            format_html(' aria-describedby="{}"', described) if described else "",
            bound.label,
            optional,
            hint,
            error_lines,
            bound,
        )
    else:
        body = format_html(
            '<label for="{}">{}{}</label>{}{}{}', bound.id_for_label, bound.label, optional, hint,
            error_lines, bound,
        )
    return format_html('<div class="{}">{}</div>', classes, body)
