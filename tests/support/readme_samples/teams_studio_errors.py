"""The seed README's samples from List Teammates to Error Handling: teammates, evaluation and training
tasks, Studio assignments, project groups and batches, and the error-handling example."""
# The samples keep the README's lines as they are, long ones included.
# pylint: disable=line-too-long
from typing import List, Tuple

# (id, runnable, code), in README order
TEAM_STUDIO_ERROR_SAMPLES: List[Tuple[str, bool, str]] = [
    (
        "list-teammates",
        True,
        """\
teammates = client.list_teammates()
""",
    ),
    (
        "invite-teammate",
        True,
        """\
from scaleapi import TeammateRole

teammates = client.invite_teammates(['email1@example.com', 'email2@example.com'], TeammateRole.Member)
""",
    ),
    (
        "update-teammate-role",
        True,
        """\
from scaleapi import TeammateRole

teammates = client.update_teammates_role(['email1@example.com', 'email2@example.com'], TeammateRole.Manager)
""",
    ),
    (
        "create-evaluation-task",
        False,
        """\
client.create_evaluation_task(TaskType, ...task parameters...)
""",
    ),
    (
        "create-evaluation-task-2",
        True,
        """\
from scaleapi.tasks import TaskType

expected_response = {
    "annotations": {
        "answer_reasonable": {
            "type": "category",
            "field_id": "answer_reasonable",
            "response": [
                [
                    "no"
                ]
            ]
        }
    }
}

initial_response = {
    "annotations": {
        "answer_reasonable": {
            "type": "category",
            "field_id": "answer_reasonable",
            "response": [
                [
                    "yes"
                ]
            ]
        }
    }
}

attachments = [
    {"type": "image", "content": "https://i.imgur.com/bGjrNzl.jpeg"}
]

payload = dict(
    project = "test_project",
    attachments=attachments,  # FIXED: was a bare positional "attachments,"
    initial_response=initial_response,
    expected_response=expected_response,
)

client.create_evaluation_task(TaskType.TextCollection, **payload)
""",
    ),
    (
        "create-training-task",
        False,
        """\
client.create_training_task(TaskType, ...task parameters...)
""",
    ),
    (
        "list-all-assignments",
        True,
        """\
assignments = client.list_studio_assignments()
my_assignment = assignments.get('my-email@example.com')
""",
    ),
    (
        "add-studio-assignment",
        True,
        """\
assignments = client.add_studio_assignments(['email1@example.com', 'email2@example.com'], ['project 1', 'project 2'])
""",
    ),
    (
        "remove-studio-assignment",
        True,
        """\
assignments = client.remove_studio_assignments(['email1@example.com', 'email2@example.com'], ['project 1', 'project 2'])
""",
    ),
    (
        "list-studio-project-groups",
        True,
        """\
list_project_group = client.list_project_groups('project_name')
""",
    ),
    (
        "add-studio-project-group",
        True,
        """\
added_project_group = client.create_project_group(
    'project_name', ['email1@example.com'], 'project_group_name'
)
""",
    ),
    (
        "update-studio-project-group",
        True,
        """\
updated_project_group = client.update_project_group(
    'project_name', 'project_group_name', ['emails_to_add'], ['emails_to_remove']
)
""",
    ),
    (
        "list-studio-batches",
        True,
        """\
studio_batches = client.list_studio_batches()
""",
    ),
    (
        "assign-studio-batches",
        True,
        """\
assigned_studio_batch = client.assign_studio_batches('batch_name', ['project_group_name'])
""",
    ),
    (
        "set-studio-batches-priority",
        True,
        """\
studio_batch_priority = client.set_studio_batches_priorities(
    ['pending_batch_1', 'pending_batch_2', 'pending_batch_3']
)
""",
    ),
    (
        "reset-studio-batches-priority",
        True,
        """\
reset_studio_batch_prioprity = client.reset_studio_batches_priorities()
""",
    ),
    (
        "error-handling",
        True,
        """\
from scaleapi.exceptions import ScaleException

try:
    client.create_task(TaskType.TextCollection, attachment="Some parameters are missing.")
except ScaleException as err:
    print(err.code)  # 400
    print(err.message)  # Parameter is invalid, reason: "attachments" is required
""",
    ),
]
