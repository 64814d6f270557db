"""form_error_message: the one sentence a reader is shown for a form's errors."""

from django import forms

from common.listing import form_error_message


class Form(forms.Form):
    region = forms.ChoiceField(required=False, choices=[("EU", "European Union")])
    due_after = forms.DateField(required=False, label="Due on or after")
    token = forms.CharField(widget=forms.HiddenInput, error_messages={"required": "Start again."})
    other = forms.CharField(widget=forms.HiddenInput, error_messages={"required": "Start again."})

    def clean(self):
        raise forms.ValidationError("Nothing fits together.")


class PageForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1)


def test_each_message_follows_its_label_and_hidden_fields_speak_once_for_themselves():
    message = form_error_message(
        Form({"region": "XX", "due_after": "soon"}), PageForm({"page": "0"})
    )
    assert message == (
        "Region: Select a valid choice. XX is not one of the available choices. "
        "Due on or after: Enter a valid date. "
        "Start again. "
        "Nothing fits together. "
        "Page: Ensure this value is greater than or equal to 1."
    )
