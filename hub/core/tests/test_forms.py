"""Selects in hub forms are written in Python, and must read exactly as Django writes them."""

from django import forms
from django.test.html import parse_html

from hub.core.forms import FastSelect, FastSelectMultiple, HubForm


class Choosing(HubForm):
    colour = forms.ChoiceField(
        choices=[("", "Any colour"), ("red", "Red & rosy"), ("blue", 'Blue "sky"')],
        required=False,
    )
    shade = forms.ChoiceField(
        choices=[("Warm", [("red", "Red"), ("amber", "Amber")]), ("Cool", [("teal", "Teal")])]
    )
    many = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, "Three")])


def _django_markup(field: forms.BoundField) -> str:
    """The same field rendered by Django's own template-based widget."""
    widget = field.field.widget
    fast = type(widget)
    widget.__class__ = forms.SelectMultiple if fast is FastSelectMultiple else forms.Select
    try:
        return str(field)
    finally:
        widget.__class__ = fast


def test_hub_forms_use_the_python_written_selects():
    form = Choosing()
    assert type(form.fields["colour"].widget) is FastSelect
    assert type(form.fields["many"].widget) is FastSelectMultiple


def test_the_markup_is_the_same_as_djangos_with_values_chosen_escaping_and_groups():
    form = Choosing({"colour": "blue", "shade": "amber", "many": ["1", "3"]})
    for name in ("colour", "shade", "many"):
        ours = str(form[name])
        assert parse_html(ours) == parse_html(_django_markup(form[name])), name
    assert "Red &amp; rosy" in str(form["colour"])
    assert 'value="blue" selected' in str(form["colour"])
    assert '<optgroup label="Warm">' in str(form["shade"])


def test_an_unbound_form_selects_the_initial_value():
    form = Choosing(initial={"colour": "red"})
    assert parse_html(str(form["colour"])) == parse_html(_django_markup(form["colour"]))
    assert 'value="red" selected' in str(form["colour"])
