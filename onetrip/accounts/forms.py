from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RegisterForm(forms.Form):
    real_name = forms.CharField(label=_("Name (as on your ID card)"), max_length=50)
    mobile = forms.CharField(
        label=_("Mobile number"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )
    resident_id = forms.CharField(label=_("Resident ID number"), max_length=18,
                                  help_text=_("18 characters; the last may be X."))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class CompanyRegisterForm(RegisterForm):
    uscc = forms.CharField(label=_("Unified social credit code of the company"), max_length=18,
                           help_text=_("18 characters, as on the business licence."))
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50, required=False)

    field_order = ["uscc", "company_name", "legal_representative", "real_name", "mobile", "resident_id",
                   "password", "password2"]
