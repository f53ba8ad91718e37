"""``ScaleClient`` methods for projects and files."""
import json
from functools import partial
from typing import IO, Any, Dict, List, Optional, Union

from ._client_base import ClientBase, resource_path
from ._hints import choice_value
from ._reconcile import project_differences
from ._retry import CallKind
from .files import File
from .projects import Project, TaskTemplate
from .tasks import TaskType


_project_path = partial(resource_path, "projects")


class ProjectsMixin(ClientBase):
    """Project and file methods of ``ScaleClient``."""

    def create_project(  # pylint: disable=too-many-arguments,too-many-positional-arguments
        self,
        project_name: str,
        task_type: Union[TaskType, str],
        params: Optional[Dict[str, Any]] = None,
        rapid: bool = False,
        studio: bool = False,
        dataset_id: Optional[str] = None,
    ) -> Project:
        """Create a project.

        Project names are unique, so the create is retried on server errors; a 409 after an ambiguous
        attempt counts as success only when the project of that name has this call's type, params,
        ``rapid``, ``studio`` and ``dataset_id`` (see docs/retries.md).

        Args:
            project_name: the new project's name.
            task_type: the type of the project's tasks.
            params: default task parameters (e.g. ``{"instruction": "..."}``).
            rapid: make it a Scale Rapid project.
            studio: make it a Scale Studio project.
            dataset_id: a Nucleus dataset to link.

        Returns:
            the created ``Project``.

        Raises:
            ScaleDuplicateResource: a project with that name exists (409), also after a retry when
                it is not the one this call asked for.
            ScaleInvalidChoice: ``task_type`` is not a task type (a ``ValueError`` too; raised
                before any request, naming the closest type).
        """
        type_value = choice_value("task type", task_type, TaskType)
        body = {
            "type": type_value,
            "name": project_name,
            "params": params,
            "rapid": rapid,
            "studio": studio,
            "datasetId": dataset_id,
        }

        answer = self._keyed_create(
            "projects", body, _project_path(project_name), project_differences,
            lambda found: f"project {project_name!r} (a {found.get('type')} project, id {found.get('id')})",
        )  # fmt: skip
        return self._one(Project, answer, "POST projects")

    def get_project(self, project_name: str) -> Project:
        """The project of this name (a read, retried freely); ``ScaleResourceNotFound`` when there is none."""
        return self._one(Project, self.api.request("GET", _project_path(project_name)), "GET project")

    def get_projects(self) -> List[Project]:
        """List every project of the account.

        A read, retried freely.

        Returns:
            a list of ``Project``.
        """
        return self._many(Project, self.api.request("GET", "projects"), "GET projects")

    def projects(self) -> List[Project]:
        """List every project of the account (same as ``get_projects()``).

        A read, retried freely.

        Returns:
            a list of ``Project``.
        """
        return self.get_projects()

    def update_project(self, project_name: str, **kwargs: Any) -> Project:
        """Set new parameters on a project, making a new project version (retried freely).

        Args:
            project_name: the project's name.
            **kwargs: the parameters, e.g. ``patch=False, instruction="..."``.

        Returns:
            the updated ``Project``.

        Raises:
            ScaleResourceNotFound: no such project (404).
        """
        answer = self.api.request(
            "POST", _project_path(project_name, "setParams"), body=kwargs, kind=CallKind.IDEMPOTENT
        )
        return self._one(Project, answer, "POST project setParams")

    def get_project_template(self, project_name: str) -> TaskTemplate:
        """The task template of a TextCollection or Chat project (a read, retried freely).

        Raises:
            ScaleResourceNotFound: no such project (404).
            ScaleException: the project's type has no templates.
        """
        answer = self.api.request("GET", _project_path(project_name, "taskTemplates"))
        return self._one(TaskTemplate, answer, "GET project taskTemplates")

    def upload_file(self, file: IO[Any], **kwargs: Any) -> File:
        """Upload a local file to Scale storage (multipart ``files/upload``).

        Retried only when the request provably never reached the server (and the stream can be
        rewound).

        Args:
            file: an open binary file or stream.
            **kwargs: form fields such as ``project_name``, ``display_name``, ``reference_id``;
                a dict value (``metadata``) is sent as a JSON string.

        Returns:
            the uploaded ``File``; its ``attachment_url`` can be a task attachment.

        Raises:
            ScaleDuplicateResource: the ``reference_id`` is already used (409).
        """
        data = {
            key: json.dumps(value) if isinstance(value, dict) else value
            for key, value in kwargs.items()
        }
        answer = self.api.request("POST", "files/upload", files={"file": file}, data=data)
        return self._one(File, answer, "POST files/upload")

    def import_file(self, file_url: str, **kwargs: Any) -> File:
        """Import a file into Scale storage from a URL (retried only when provably never sent).

        Args:
            file_url: where Scale fetches the file from.
            **kwargs: other fields, e.g. ``project_name``.

        Returns:
            the imported ``File``.
        """
        answer = self.api.request("POST", "files/import", body={"file_url": file_url, **kwargs})
        return self._one(File, answer, "POST files/import")
