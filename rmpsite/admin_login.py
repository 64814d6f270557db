"""The admin login form: Django's, with the length of the username enforced."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AdminAuthenticationForm):
    """AuthenticationForm gives the username field its max_length after the field is made, so
    only the browser enforced it: a longer username reached authenticate(), and django-axes
    could not record the failure (its usernames hold 255 characters; PostgreSQL refused the
    row and the login page failed with a 500). Now the form refuses it like any bad input.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
