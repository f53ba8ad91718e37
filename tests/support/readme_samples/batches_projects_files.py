"""The seed README's samples from Create Batch to Import Files: batches, projects and file uploads."""
# The samples keep the README's lines as they are, long ones included.
# pylint: disable=line-too-long
from typing import List, Tuple

# (id, runnable, code), in README order
BATCH_PROJECT_FILE_SAMPLES: List[Tuple[str, bool, str]] = [
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
]
