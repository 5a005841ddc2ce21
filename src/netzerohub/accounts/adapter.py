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
