"""GOV.UK Frontend markup for Django forms.

Every form in the hub inherits ``HubForm`` (or ``HubModelForm``): widgets get the
GOV.UK classes, fields render with label, hint and error message in the order the
design system asks for, and the page shows an error summary linking to each field.
"""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

_WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
    forms.RadioSelect: "govuk-radios__input",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
}


class GovukFormRenderer(DjangoTemplates):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"


# One shared instance: a renderer builds its template engine (and its template cache) once,
# so a class here would rebuild both for every form on every page.
GOVUK_RENDERER = GovukFormRenderer()


class _PythonRenderedOptions:
    """A select whose options are written in Python rather than through Django's widget
    templates, which include two templates per option: a list of 30 wards cost about 3 ms,
    a list of every caseworker far more. The markup is the same as Django's."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _ in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"],
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # every part above is escaped


class FastSelect(_PythonRenderedOptions, forms.Select):
    pass


class FastSelectMultiple(_PythonRenderedOptions, forms.SelectMultiple):
    pass


_FAST_WIDGETS = {forms.Select: FastSelect, forms.SelectMultiple: FastSelectMultiple}


class ListedModelChoiceIterator(forms.models.ModelChoiceIterator):
    """Options read with one plain query. Django's own iterator uses ``.iterator()``, which on
    PostgreSQL opens a server-side cursor (DECLARE, FETCH, CLOSE: several round trips a
    select) to read lists of a few dozen rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


def _css_class(widget: forms.Widget) -> str:
    return next((c for w, c in _WIDGET_CLASSES.items() if isinstance(widget, w)), "govuk-input")


def widget_kind(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


class GovukBoundField(forms.BoundField):
    """Writes a select's form group (label, hint, errors, select) in Python, the same markup
    as ``core/forms/field.html``: the template engine spent about half a millisecond a
    field on it, and the triage queue shows nine. Every other kind of field uses the
    template."""

    def as_field_group(self):
        if not isinstance(self.field.widget, (FastSelect, FastSelectMultiple)):
            return super().as_field_group()
        errors = self.errors
        auto_id = self.auto_id
        optional = not self.field.required and not self.field.disabled
        parts = [
            '<div class="govuk-form-group govuk-form-group--error">'
            if errors
            else '<div class="govuk-form-group">',
            format_html(
                '<label class="govuk-label govuk-label--s" for="{}">{}{}</label>',
                self.id_for_label,
                self.label,
                " (optional)" if optional else "",
            ),
        ]
        if self.help_text:
            parts.append(
                format_html(
                    '<div id="{}-hint" class="govuk-hint">{}</div>', auto_id, self.help_text
                )
            )
        if errors:
            messages = mark_safe(  # each message is escaped by format_html
                "<br>".join(
                    format_html('<span class="govuk-visually-hidden">Error:</span> {}', error)
                    for error in errors
                )
            )
            parts.append(
                format_html(
                    '<p id="{}-error" class="govuk-error-message">{}</p>', auto_id, messages
                )
            )
        parts.append(str(self))
        parts.append("</div>")
        return mark_safe("".join(parts))  # built from escaped parts above


class GovukMixin:
    default_renderer = GOVUK_RENDERER
    bound_field_class = GovukBoundField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        """Give every field its GOV.UK classes and hint reference. Forms that add fields in
        their own ``__init__`` call this again at its end (it is safe to repeat)."""
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(field, forms.ModelChoiceField):
                field.iterator = ListedModelChoiceIterator
                widget.choices = field.choices
            if type(widget) in _FAST_WIDGETS:
                # The same widget, rendered without a template per option.
                widget.__class__ = _FAST_WIDGETS[type(widget)]
            css = _css_class(widget)
            classes = widget.attrs.get("class", "").split()
            if css not in classes:
                widget.attrs["class"] = " ".join([css, *classes])
            if field.help_text and widget_kind(widget) in {"input", "checkbox"}:
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"

    def full_clean(self):
        # Error styling is added after validation, never in __init__: touching ``errors``
        # there would validate before subclasses finish setting up their fields.
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            css = _css_class(widget)
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}--error".strip()
            if widget_kind(widget) in {"input", "checkbox"}:
                described = widget.attrs.get("aria-describedby", "")
                error_id = f"id_{self.add_prefix(name)}-error"
                widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()

    def error_summary_items(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the error summary, in field order."""
        items = [("", str(e)) for e in self.non_field_errors()]
        for name in self.fields:
            if name in self.errors:
                anchor = f"id_{self.add_prefix(name)}"
                widget = self.fields[name].widget
                if widget_kind(widget) in {"checkboxes", "radios"}:
                    anchor += "_0"
                items.extend((anchor, str(e)) for e in self.errors[name])
        return items


def posted(request):
    """The POST data when the form was sent (even empty, so an empty form shows its errors),
    else None for an unbound form."""
    return request.POST if request.method == "POST" else None


def errors_to_form(form, exc) -> None:
    """Put a service's ValidationError on ``form``: each message on its field where the form
    has one, otherwise at the top of the error summary."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class HubForm(GovukMixin, forms.Form):
    pass


class HubModelForm(GovukMixin, forms.ModelForm):
    pass
