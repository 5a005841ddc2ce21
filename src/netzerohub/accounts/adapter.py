from allauth.account.adapter import DefaultAccountAdapter

from netzerohub.core.audit import log_action


class AccountAdapter(DefaultAccountAdapter):
    """Hooks allauth into the portal: audit sign-ups; names come from the sign-up form."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.name = form.cleaned_data.get("name", "").strip()
        if commit:
            user.save()
            log_action("accounts.user.signed_up", actor=None, target=user)
        return user


def axes_username(request, credentials=None) -> str | None:
    """The address a sign-in attempt is for: django-axes counts failures per address and place.

    allauth authenticates with `email=`, the admin with `username=`, and the form field is
    `login`. Without this axes found no username at all, so five wrong passwords locked out
    everyone signing in from the same network.
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if not value:
        value = getattr(request, "POST", {}).get("login", "")
    return str(value).strip().lower() or None
