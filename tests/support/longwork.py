"""Shared helpers of the "working at scale" tests (keys, the client class, payloads, fault access)."""
from typing import Any, Dict, List

from scaleapi._retry import RetryPolicy
from scaleapi.client import ScaleClient

TEST_KEY = "test_scale_bulk_0123456789"
LIVE_KEY = "live_scale_bulk_0123456789"
PROJECT = "bulk-project"


#: ScaleClient has the bulk, wait and export methods itself; the short name reads well in the tests.
Client = ScaleClient


def payload(index: int, **extra: Any) -> Dict[str, Any]:
    """An imageannotation task payload for the test project."""
    body: Dict[str, Any] = {
        "project": PROJECT,
        "attachment": f"https://example.com/images/{index}.png",
        "geometries": {"box": {"objects_to_annotate": ["car"]}},
        "metadata": {"n": index},
    }
    body.update(extra)
    return body


def fast_retries(client: ScaleClient) -> ScaleClient:
    """Shorten the retry backoff so fault-heavy tests stay quick (the policy is unchanged)."""
    client.api.policy = RetryPolicy(max_retries=3, initial_delay=0.02, max_delay=0.1)
    return client


def all_tasks(client: ScaleClient, project: str = PROJECT) -> List[Dict[str, Any]]:
    """Every task of the project, read page by page (no faults must be active)."""
    return [task.as_dict() for task in client.get_tasks(project_name=project, include_attachment_url=False)]
