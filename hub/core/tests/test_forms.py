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


class Filtering(HubForm):
    where = forms.ChoiceField(
        choices=[("", "Anywhere"), ("n", "North <ward>")],
        required=False,
        help_text="Pick a ward & more",
    )
    who = forms.ChoiceField(choices=[("a", "Ann"), ("b", "Bob")], label="Assigned to")
    many = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two")], required=False)
    note = forms.CharField(required=False)


def _template_group(field: forms.BoundField) -> str:
    return forms.BoundField.as_field_group(field)


def test_a_select_group_written_in_python_matches_the_template_in_every_state():
    for form in (
        Filtering(),
        Filtering({"where": "n", "who": "a", "many": ["2"]}),
        Filtering({"where": "nowhere", "many": ["9"]}),  # errors on every select
    ):
        form.is_bound and form.is_valid()
        for name in ("where", "who", "many"):
            ours = form[name].as_field_group()
            assert parse_html(ours) == parse_html(_template_group(form[name])), (name, ours)
    invalid = Filtering({"where": "nowhere"})
    assert not invalid.is_valid()
    assert "govuk-form-group--error" in invalid["who"].as_field_group()
    assert "North &lt;ward&gt;" in Filtering()["where"].as_field_group()


def test_other_fields_still_use_the_template():
    form = Filtering()
    assert form["note"].as_field_group() == _template_group(form["note"])
