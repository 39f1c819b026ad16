from django import forms

from hub.core.forms import HubModelForm
from hub.strategy.models import Element


class ElementForm(HubModelForm):
    class Meta:
        model = Element
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
