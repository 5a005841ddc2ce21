"""Writes about people: profile, API tokens, personal data export and account deletion."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from netzerohub.core import personal_data
from netzerohub.core.audit import log_action
from netzerohub.core.models import AuditLog, Notification

from .models import ApiToken, User

PROFILE_FIELDS = ("name", "job_title", "languages", "preferred_language", "time_zone")


@transaction.atomic
def update_profile(user: User, *, actor: User, **changes: Any) -> User:
    """Change profile fields (only those in PROFILE_FIELDS); audited with the changed names."""
    changed = []
    for field, value in changes.items():
        if field not in PROFILE_FIELDS:
            raise ValueError(f"{field} is not a profile field")
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)
        log_action("accounts.profile.updated", actor=actor, target=user, data={"fields": changed})
    return user


@transaction.atomic
def create_api_token(user: User, *, name: str, actor: User) -> tuple[ApiToken, str]:
    """Create a personal API token; returns the token and its secret (shown once, never stored)."""
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user, name=name, digest=ApiToken.digest_of(secret), hint=secret[:8]
    )
    log_action("accounts.api_token.created", actor=actor, target=token, data={"name": name})
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action("accounts.api_token.revoked", actor=actor, target=token)


def user_for_api_token(secret: str) -> User | None:
    """The active user owning `secret`, or None. Touches `last_used` at most once a minute."""
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(digest=ApiToken.digest_of(secret))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used is None or (now - token.last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user


def _account_data(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "job_title": user.job_title,
        "languages": user.languages,
        "preferred_language": user.preferred_language,
        "time_zone": user.time_zone,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "api_tokens": [
            {"name": t.name, "created": t.created.isoformat(), "revoked": bool(t.revoked_at)}
            for t in user.api_tokens.all()
        ],
    }


def _activity_data(user: User) -> dict[str, Any]:
    return {
        "notifications": [
            {"title": n.title, "body": n.body, "created": n.created.isoformat()}
            for n in Notification.objects.for_user(user)
        ],
        "actions": [
            {"action": a.action, "when": a.created.isoformat(), "data": a.data}
            for a in AuditLog.objects.filter(actor=user)
        ],
    }


personal_data.register("account", _account_data)
personal_data.register("activity", _activity_data)


def export_personal_data(user: User, *, actor: User) -> dict[str, Any]:
    """Everything the portal holds about `user`, as one JSON-serialisable document."""
    log_action("accounts.personal_data.exported", actor=actor, target=user)
    return {
        "exported_at": timezone.now().isoformat(),
        **personal_data.collect_all(user),
    }


@transaction.atomic
def delete_account(user: User, *, actor: User) -> None:
    """Delete the person. Audit entries stay but lose the link to them (actor becomes empty)."""
    log_action("accounts.user.deleted", actor=None, data={"user_id": user.pk})
    user.delete()
