"""Background jobs of the self-assessment. Tasks take keys and ids, never model instances."""

from __future__ import annotations

from django_tasks import task

from . import peers


@task()
def refresh_peer_statistics(questionnaire_key: str) -> int:
    """Rebuild the peer statistics of one questionnaire (after a submission); answers how many
    rows it wrote. Also `manage.py refresh_peer_statistics`."""
    return peers.refresh(questionnaire_key)
