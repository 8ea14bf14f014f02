"""Citizen account forms: sign up with a phone number or e-mail, sign in, profile."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from citizens.models import User, phone_validator
from citizens.signup import SignUp
from governance.web.submission import CaseForm, ContactMixin


def split_login(value: str) -> tuple[str | None, str | None]:
    """(phone, email) from what a person typed as their login."""
    value = value.strip()
    if "@" in value:
        validate_email(value)
        return None, value.lower()
    phone_validator(value.replace(" ", ""))
    return value.replace(" ", ""), None


class SignUpForm(forms.Form):
    login = forms.CharField(
        label=_("Phone number or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    display_name = forms.CharField(
        label=_("Name to show (optional)"), required=False, max_length=80
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_login(self) -> str:
        value = self.cleaned_data["login"]
        try:
            phone, email = split_login(value)
        except ValidationError:
            raise ValidationError(
                _("Enter a phone number (6 to 15 digits) or an e-mail address.")
            ) from None
        # Whether it already has an account is never said here (citizens.signup).
        self.phone, self.email = phone, email
        return value

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1 and "login" in data:
            candidate = User(username=data["login"], phone=self.phone, email=self.email)
            try:
                password_validation.validate_password(p1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data

    def signup(self) -> SignUp:
        return SignUp(
            phone=self.phone,
            email=self.email,
            display_name=self.cleaned_data["display_name"],
            password=self.cleaned_data["password1"],
        )


class SignUpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the message"),
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SignInForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Phone number or e-mail")
        self.fields["password"].label = _("Password")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "preferred_language"]
        labels = {"display_name": _("Name to show"), "preferred_language": _("Preferred language")}


class SubmitForm(CaseForm):
    """A signed-in citizen's request."""


class AnonymousSubmitForm(ContactMixin, CaseForm):
    """A request without an account: a phone number or e-mail is needed to reach the reporter."""

    contact_required = True
