from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TwoPasswordsMixin(forms.Form):
    """The new password typed twice must match."""

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class RegisterForm(TwoPasswordsMixin):
    real_name = forms.CharField(label=_("Name (as on your ID card)"), max_length=50)
    mobile = forms.CharField(
        label=_("Mobile number"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )
    resident_id = forms.CharField(label=_("Resident ID number"), max_length=18,
                                  help_text=_("18 characters; the last may be X."))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class CompanyRegisterForm(RegisterForm):
    uscc = forms.CharField(label=_("Unified social credit code of the company"), max_length=18,
                           help_text=_("18 characters, as on the business licence."))
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50, required=False)

    field_order = ["uscc", "company_name", "legal_representative", "real_name", "mobile", "resident_id",
                   "password", "password2"]


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label=_("Mobile number"), max_length=20,
        help_text=_("The mobile number of your account. We will send a 6-digit code to it."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"), max_length=6, min_length=6,
        help_text=_("6 digits, valid for 10 minutes."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ResetPasswordForm(TwoPasswordsMixin, CodeForm):
    password = forms.CharField(label=_("New password"),
                               help_text=_("At least 8 characters, not only digits, not a common password."),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("New password again"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
