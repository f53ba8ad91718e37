"""The v2 task the parse micro-benchmark reads: importable by the drivers and by the bench itself."""
from typing import Any, Dict, List


def sample_v2_task(index: int = 0) -> Dict[str, Any]:
    """A completed v2 task: one thread of two turns, each of two messages with two annotations each."""
    def annotations(prefix: str) -> List[Dict[str, Any]]:
        return [
            {"id": f"{prefix}-a0", "key": "quality", "type": "category", "title": "Quality",
             "value": "good", "possible_values": ["good", "bad"]},
            {"id": f"{prefix}-a1", "key": "score", "type": "integer", "title": "Score", "value": 4},
        ]

    def message(turn: int, number: int, role: str) -> Dict[str, Any]:
        prefix = f"t{index}-turn{turn}-m{number}"
        return {"role": role, "source_id": f"src-{prefix}",
                "content": {"text": f"Message {number} of turn {turn}: " + "lorem ipsum " * 12},
                "annotations": annotations(prefix)}

    turns = [
        {"id": f"t{index}-turn{turn}", "messages": [message(turn, 0, "user"), message(turn, 1, "assistant")],
         "annotations": annotations(f"t{index}-turn{turn}")}
        for turn in range(2)
    ]
    return {
        "task_id": f"{index:024x}", "project": "5f0000000000000000000001",
        "batch": "5f0000000000000000000002",
        "status": "completed", "created_at": "2026-11-01T10:00:00.000Z",
        "completed_at": "2026-11-01T11:00:00.000Z", "metadata": {"index": index},
        "threads": [{"id": f"t{index}-thread", "turns": turns, "annotations": []}],
    }
