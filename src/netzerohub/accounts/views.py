import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netzerohub.core.ratelimit import rate_limited

from . import services
from .forms import ApiTokenForm, DeleteAccountForm, ProfileForm
from .models import ApiToken, User


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    # The form edits its own copy: validating writes to its instance, and the service compares
    # the new values with the person as stored.
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in services.PROFILE_FIELDS}
        services.update_profile(request.user, actor=request.user, **changes)
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def export_data(request: HttpRequest) -> HttpResponse:
    data = services.export_personal_data(request.user, actor=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="netzerohub-personal-data.json"'
    return response


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.delete_account(user, actor=user)
        messages.success(request, _("Your account has been deleted."))
        return redirect("dashboard:home")
    return render(request, "accounts/delete.html", {"form": form})


@login_required
@rate_limited("accounts.api_token", limit=20)
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = services.create_api_token(
            request.user, name=form.cleaned_data["name"], actor=request.user
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "secret": secret}
    )


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_api_token(token, actor=request.user)
    messages.success(request, _("The token is revoked."))
    return redirect("accounts:api-tokens")
