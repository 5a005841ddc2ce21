from django import forms
from django.utils.translation import gettext_lazy as _

from netzerohub.core.languages import LANGUAGE_CHOICES

from .models import User


class SignupForm(forms.Form):
    """Extra sign-up field; allauth adds email and password."""

    name = forms.CharField(label=_("Full name"), max_length=150, required=True)

    def signup(self, request, user):  # called by allauth after the user is created
        pass


class ProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to pick several."),
    )

    class Meta:
        model = User
        fields = ["name", "job_title", "languages", "preferred_language", "time_zone"]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “reporting script”."),
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and my memberships are deleted for good."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your current password."))
        return password
