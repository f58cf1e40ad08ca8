"""The ``context`` argument of a task's ``run(event, context)``.

Execution metadata (names as in the Step Functions context object), the state
data client for this execution and ``stop_execution``.
"""

import os


class TaskContext:
    """What a task sees besides its event.

    Attributes:
        execution_name: ``$$.Execution.Name`` of the running execution.
        state_name: ``$$.State.Name`` of the Task state.
        state_machine_name: ``$$.StateMachine.Name``.
        trace_id / trace_source: the execution's ``__trace`` (DESIGN.md section 5.3).
        task_token: ``$$.Task.Token`` for ``ecs:worker`` (callback) tasks, else None.
        project: the project name (state data is scoped by project).
    """

    def __init__(self, meta=None, *, project=None, state_data_url=None, heartbeat=None):
        meta = meta or {}
        self.execution_name = meta.get("sfn_execution_name")
        self.state_name = meta.get("sfn_state_name")
        self.state_machine_name = meta.get("sfn_state_machine_name")
        self.trace_id = meta.get("trace_id")
        self.trace_source = meta.get("trace_source")
        self.task_token = meta.get("task_token")
        self.project = project or os.environ.get("FLUXIO_PROJECT")
        self._state_data_url = state_data_url or os.environ.get("FLUXIO_STATE_DATA_URL")
        self._state_data_client = None
        self._heartbeat = heartbeat

    @property
    def state_data_client(self):
        """A ``StateDataClient`` for this project, namespaced by the execution name.

        Raises:
            RuntimeError: when no state data service is configured
                (``FLUXIO_STATE_DATA_URL`` unset).
        """
        if self._state_data_client is None:
            if not self._state_data_url:
                raise RuntimeError(
                    "No state data service configured: set FLUXIO_STATE_DATA_URL "
                    "(fluxio run starts one for you)."
                )
            from .state_data import StateDataClient

            self._state_data_client = StateDataClient(
                self._state_data_url, self.project, self.execution_name
            )
        return self._state_data_client

    async def stop_execution(self, error=None, cause=None):
        """Stop the running execution (status ABORTED) with an optional error and cause."""
        return await self.state_data_client.stop_execution(error=error, cause=cause)

    async def heartbeat(self):
        """Report that the task is alive (resets ``HeartbeatSeconds``). No-op where unsupported."""
        if self._heartbeat is not None:
            self._heartbeat()

    def __repr__(self):
        return (
            f"TaskContext(execution_name={self.execution_name!r}, "
            f"state_name={self.state_name!r}, project={self.project!r})"
        )
