"""Every code sample of the seed README (shared/seeds/000_bef3a9acf9eb004b.txt), in README order.

Copied verbatim except for three typo fixes, each marked FIXED below:
* List Batches: ``print(f"{len(batch_list))} batches retrieved")`` has one ``)`` too many;
* Create Evaluation Task: the bare positional ``attachments,`` inside ``dict(...)`` is a SyntaxError and
  becomes ``attachments=attachments,``;
* Update Teammate Role: the README's directive lacks ``::`` (``.. code-block python``); the code itself is
  unchanged.

Blocks that are pseudo-code in the README (``...task parameters...``, ``dict(... ...)``) are kept with
``RUNNABLE = False`` so the copy stays complete; the test skips only those.
"""
# The samples keep the README's lines as they are, long ones included.
# pylint: disable=line-too-long
from typing import List, Tuple

# (id, runnable, code)
SAMPLES: List[Tuple[str, bool, str]] = [
    (
        "usage",
        True,
        """\
import scaleapi

client = scaleapi.ScaleClient("YOUR_API_KEY_HERE")
""",
    ),
    (
        "usage-2",
        True,
        """\
proxies = { 'https': 'http://10.10.1.10:1080' }

client = scaleapi.ScaleClient(
            api_key="YOUR_API_KEY_HERE",
            proxies=proxies,
            cert='/path/client.cert',
            verify=True
        )
""",
    ),
    (
        "create-task",
        False,
        """\
client.create_task(TaskType, ...task parameters...)
""",
    ),
    (
        "create-task-2",
        True,
        """\
from scaleapi.tasks import TaskType
from scaleapi.exceptions import ScaleDuplicateResource

payload = dict(
    project = "test_project",
    callback_url = "http://www.example.com/callback",
    instruction = "Draw a box around each baby cow and big cow.",
    attachment_type = "image",
    attachment = "http://i.imgur.com/v4cBreD.jpg",
    unique_id = "c235d023af73",
    geometries = {
        "box": {
            "objects_to_annotate": ["Baby Cow", "Big Cow"],
            "min_height": 10,
            "min_width": 10,
        }
    },
)

try:
    client.create_task(TaskType.ImageAnnotation, **payload)
except ScaleDuplicateResource as err:
    print(err.message)  # If unique_id is already used for a different task
""",
    ),
    (
        "retrieve-a-task",
        True,
        """\
task = client.get_task("30553edd0b6a93f8f05f0fee")
print(task.status)  # Task status ("pending", "completed", "error", "canceled")
print(task.response) # If task is complete
""",
    ),
    (
        "task-attributes",
        True,
        """\
task.as_dict()

# {
#  'task_id': '30553edd0b6a93f8f05f0fee',
#  'created_at': '2021-06-17T21:46:36.359Z',
#  'type': 'imageannotation',
#  'status': 'pending',
#   ....
#  'params': {
#   'attachment': 'http://i.imgur.com/v4cBreD.jpg',
#   'attachment_type': 'image',
#   'geometries': {
#    'box': {
#     'objects_to_annotate': ['Baby Cow', 'Big Cow'],
#     'min_height': 10,
#     'min_width': 10,
#     ...
#   },
#  'project': 'My Project',
#  ...
# }
""",
    ),
    (
        "task-attributes-2",
        True,
        """\
task.status                   # same as task.as_dict()["status"]
task.params["geometries"]     # same as task.as_dict()["params"]["geometries"]
task.response["annotations"]  # same as task.as_dict()["response"]["annotations"]
""",
    ),
    (
        "task-attributes-3",
        True,
        """\
task.params["geometries"]   # task.geometries is DEPRECATED
task.params["attachment"]   # task.attachment is DEPRECATED
""",
    ),
    (
        "retrieve-list-of-tasks",
        True,
        """\
from scaleapi.tasks import TaskReviewStatus, TaskStatus

tasks = client.get_tasks(
    project_name = "My Project",
    created_after = "2020-09-08",
    completed_before = "2021-04-01",
    status = TaskStatus.Completed,
    review_status = TaskReviewStatus.Accepted
)

# Iterating through the generator
for task in tasks:
    # Download task or do something!
    print(task.task_id)

# For retrieving results as a Task list
task_list = list(tasks)
print(f"{len(task_list)} tasks retrieved")
""",
    ),
    (
        "get-tasks-count",
        True,
        """\
from scaleapi.tasks import TaskReviewStatus, TaskStatus

task_count = client.get_tasks_count(
    project_name = "My Project",
    created_after = "2020-09-08",
    completed_before = "2021-04-01",
    status = TaskStatus.Completed,
    review_status = TaskReviewStatus.Accepted
)

print(task_count)  # 1923
""",
    ),
    (
        "cancel-task",
        True,
        """\
task = client.cancel_task('30553edd0b6a93f8f05f0fee')

# If you also want to clear 'unique_id' of a task while canceling
task = client.cancel_task('30553edd0b6a93f8f05f0fee', clear_unique_id=True)

# cancel() is also available on task object
task = client.get_task('30553edd0b6a93f8f05f0fee')
task.cancel()

# If you also want to clear 'unique_id' of a task while canceling
task.cancel(clear_unique_id=True)
""",
    ),
    (
        "audit-a-task",
        True,
        """\
# Accept a completed task by submitting an audit
client.audit_task('30553edd0b6a93f8f05f0fee', True)

# Reject a completed task by submitting a comment with the audit
client.audit_task('30553edd0b6a93f8f05f0fee', False, 'Rejected due to quality')

# audit() is also available on Task object
task = client.get_task('30553edd0b6a93f8f05f0fee')
task.audit(True)
""",
    ),
    (
        "update-a-task-s-unique-id",
        True,
        """\
task = client.update_task_unique_id('30553edd0b6a93f8f05f0fee', "new_unique_id")

# update_unique_id() is also available on task object
task = client.get_task('30553edd0b6a93f8f05f0fee')
task.update_unique_id("new_unique_id")
""",
    ),
    (
        "clear-a-task-s-unique-id",
        True,
        """\
task = client.clear_task_unique_id('30553edd0b6a93f8f05f0fee')

# clear_unique_id() is also available on task object
task = client.get_task('30553edd0b6a93f8f05f0fee')
task.clear_unique_id()
""",
    ),
    (
        "set-a-task-s-metadata",
        True,
        """\
# set metadata on a task by specifying task id
new_metadata = {'myKey': 'myValue'}
task = client.set_task_metadata('30553edd0b6a93f8f05f0fee', new_metadata)

# set metadata on a task object
task = client.get_task('30553edd0b6a93f8f05f0fee')
new_metadata = {'myKey': 'myValue'}
task.set_metadata(new_metadata)
""",
    ),
    (
        "set-a-task-s-tags",
        True,
        """\
# set a list of tags on a task by specifying task id
new_tags = ["tag1", "tag2", "tag3"]
task = client.set_task_tags('30553edd0b6a93f8f05f0fee', new_tags)

# set a list of tags on a task object
task = client.get_task('30553edd0b6a93f8f05f0fee')
new_tags = ["tag1", "tag2", "tag3"]
task.set_tags(new_tags)
""",
    ),
    (
        "add-tags-to-a-task",
        True,
        """\
# add a list of tags on a task by specifying task id
tags_to_add = ["tag4", "tag5"]
task = client.add_task_tags('30553edd0b6a93f8f05f0fee', tags_to_add)

# add a list of tags on a task object
task = client.get_task('30553edd0b6a93f8f05f0fee')
tags_to_add = ["tag4", "tag5"]
task.add_tags(tags_to_add)
""",
    ),
    (
        "delete-tags-from-a-task",
        True,
        """\
# delete a list of tags on a task by specifying task id
tags_to_delete = ["tag1", "tag2"]
task = client.delete_task_tags('30553edd0b6a93f8f05f0fee', tags_to_delete)

# delete a list of tags on a task object
task = client.get_task('30553edd0b6a93f8f05f0fee')
tags_to_delete = ["tag1", "tag2"]
task.delete_tags(tags_to_delete)
""",
    ),
    (
        "create-batch",
        True,
        """\
batch = client.create_batch(
    project = "test_project",
    callback = "http://www.example.com/callback",
    batch_name = "batch_name_01_07_2021"
)

print(batch.name)  # batch_name_01_07_2021
""",
    ),
    (
        "finalize-batch",
        True,
        """\
client.finalize_batch(batch_name="batch_name_01_07_2021")

# Alternative method
batch = client.get_batch(batch_name="batch_name_01_07_2021")
batch.finalize()
""",
    ),
    (
        "check-batch-status",
        True,
        """\
client.batch_status(batch_name = "batch_name_01_07_2021")

# Alternative via Batch.get_status()
batch = client.get_batch("batch_name_01_07_2021")
batch.get_status() # Refreshes tasks_{status} attributes of Batch
print(batch.tasks_pending, batch.tasks_completed)
""",
    ),
    (
        "retrieve-a-batch",
        True,
        """\
batch = client.get_batch(batch_name = "batch_name_01_07_2021")
""",
    ),
    (
        "list-batches",
        True,
        """\
from scaleapi.batches import BatchStatus

batches = client.get_batches(
    batch_status=BatchStatus.Completed,
    created_after = "2020-09-08"
)

counter = 0
for batch in batches:
    counter += 1
    print(f"Downloading batch {counter} | {batch.name} | {batch.project}")

# Alternative for accessing as a Batch list
batch_list = list(batches)
print(f"{len(batch_list)} batches retrieved")  # FIXED: one ")" too many
""",
    ),
    (
        "create-project",
        True,
        """\
from scaleapi.tasks import TaskType

project = client.create_project(
    project_name = "Test_Project",
    task_type = TaskType.ImageAnnotation,
    params = {"instruction": "Please label the kittens"},
)

print(project.name)  # Test_Project
""",
    ),
    (
        "retrieve-project",
        True,
        """\
project = client.get_project(project_name = "test_project")
""",
    ),
    (
        "list-projects",
        True,
        """\
counter = 0
projects = client.projects()
for project in projects:
    counter += 1
    print(f'Downloading project {counter} | {project.name} | {project.type}')
""",
    ),
    (
        "update-project",
        True,
        """\
data = client.update_project(
    project_name="test_project",
    patch=False,
    instruction="update: Please label all the stuff",
)
""",
    ),
    (
        "upload-files",
        True,
        """\
with open(file_name, 'rb') as f:
    my_file = client.upload_file(
        file=f,
        project_name = "test_project",
    )
""",
    ),
    (
        "upload-files-2",
        True,
        """\
my_file.as_dict()

# {
#  'attachment_url': 'scaledata://606e2a0a46102303a130949/8ac09a90-c143-4154-9a9b-6c35121396d1f',
#  'created_at': '2021-06-17T21:56:53.825Z',
#  'id': '8ac09d70-ca43-4354-9a4b-6c3591396d1f',
#  'mime_type': 'image/png',
#  'project_names': ['test_project'],
#  'size': 340714,
#  'updated_at': '2021-06-17T21:56:53.825Z'
# }
""",
    ),
    (
        "import-files",
        True,
        """\
my_file = client.import_file(
    file_url="http://i.imgur.com/v4cBreD.jpg",
    project_name = "test_project",
)
""",
    ),
    (
        "import-files-2",
        False,
        """\
task_payload = dict(
    ...
    ...
    attachment_type = "image",
    attachment = my_file.attachment_url,  # scaledata://606e2a30949/89a90-c143-4154-9a9b-6c36d1f
    ...
    ...
)
""",
    ),
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
