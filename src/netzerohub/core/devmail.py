"""Reading the demo's outgoing mail: the file email backend writes it to the data folder."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

SEPARATOR = "-" * 79


@dataclass(frozen=True)
class Message:
    id: str
    to: str
    subject: str
    sent: datetime
    body: str


def list_messages() -> list[Message]:
    """Every message in the mail folder, newest first."""
    folder = Path(settings.EMAIL_FILE_PATH)
    if not folder.is_dir():
        return []
    messages: list[Message] = []
    for path in folder.glob("*.log"):
        sent = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        chunks = [c.strip() for c in path.read_text(errors="replace").split(SEPARATOR)]
        for index, chunk in enumerate(c for c in chunks if c):
            parsed = email.message_from_string(chunk, policy=email.policy.default)
            part = parsed.get_body(preferencelist=("plain",))
            body = part.get_content() if part is not None else ""
            messages.append(
                Message(
                    id=f"{path.stem}-{index}",
                    to=str(parsed.get("To", "")),
                    subject=str(parsed.get("Subject", "")),
                    sent=sent,
                    body=body,
                )
            )
    messages.sort(key=lambda m: (m.sent, m.id), reverse=True)
    return messages


def get_message(message_id: str) -> Message | None:
    if not re.fullmatch(r"[\w\-]+", message_id):
        return None
    return next((m for m in list_messages() if m.id == message_id), None)
