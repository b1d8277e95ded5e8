"""The dependency-graph runner: each step starts once the steps it waits for have finished,
at most ``parallel`` at once; after a failure no new step starts.
"""

from __future__ import annotations

import queue
import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent import futures
from typing import Any, TypeVar

from deltastream_pulumi.config import engine_default_parallel
from deltastream_pulumi.testing.errors import (
    HarnessError,
)
from deltastream_pulumi.testing.results import (
    OperationResult,
    ResourceState,
    Step,
)
from deltastream_pulumi.testing.rpc import StackRpc

T = TypeVar("T")


class _Run:
    """Per-operation bookkeeping shared by the step threads."""

    def __init__(self, kind: str, preview: bool) -> None:
        self.kind = kind
        self.preview = preview
        self.lock = threading.Lock()
        self.result = OperationResult(kind)
        #: urn → (id, outputs) visible to dependents
        self.resolved: dict[str, tuple[Any, dict[str, Any]]] = {}
        #: urns a delete-before-replace scheduled for replacement
        self.dependent_replaces: set[str] = set()
        #: create-before-delete replacements: old states to delete at the end
        self.pending_deletes: list[ResourceState] = []

    def add(self, step: Step) -> None:
        with self.lock:
            self.result.steps.append(step)


class GraphRunner(StackRpc):
    """Runs steps over the dependency graph, at most ``parallel`` at once, on kept threads."""

    # -- scheduling --------------------------------------------------------------------------
    def _run_graph(
        self,
        nodes: Sequence[T],
        key: Callable[[T], str],
        waits_for: Callable[[T], set[str]],
        fn: Callable[[T], None],
    ) -> None:
        """Run ``fn`` per node once the nodes it waits for finished; at most ``parallel`` at
        once. After a failure no new step starts; the first error is raised at the end."""
        pending = list(nodes)
        keys = {key(n) for n in nodes}
        # asked once per node: the scheduling loop below rescans the pending nodes often
        blocked_by = {id(n): waits_for(n) & keys for n in nodes}
        done: set[str] = set()
        errors: list[BaseException] = []
        workers = max(1, self.parallel or engine_default_parallel())
        pool = self._step_pool(workers)
        # steps report here as they end: one blocking get per step, where futures.wait would
        # lock and unlock every running future each time one finishes
        finished: queue.SimpleQueue[tuple[T, BaseException | None]] = queue.SimpleQueue()

        def step(node: T) -> None:
            try:
                fn(node)
            except BaseException as exc:  # re-raised by the scheduling thread below
                finished.put((node, exc))
            else:
                finished.put((node, None))

        running = 0
        while pending or running:
            if not errors:
                for node in list(pending):
                    if running >= workers:
                        break
                    if blocked_by[id(node)] <= done:
                        pending.remove(node)
                        pool.submit(step, node)
                        running += 1
            if not running:
                if pending and not errors:
                    raise HarnessError(f"dependency cycle among {[key(n) for n in pending]}")
                break
            node, exc = finished.get()
            running -= 1
            if exc is not None:
                errors.append(exc)
            else:
                done.add(key(node))
        if errors:
            raise errors[0]

    def _step_pool(self, workers: int) -> futures.ThreadPoolExecutor:
        """The stack's step threads, kept between operations (starting up to 64 threads per
        ``up`` cost the harness as much CPU as the RPCs it sends)."""
        if self._pool is None or self._pool_size < workers:
            if self._pool is not None:
                self._pool.shutdown(wait=False)
            self._pool = futures.ThreadPoolExecutor(workers, thread_name_prefix="step")
            self._pool_size = workers
            weakref.finalize(self, self._pool.shutdown, wait=False)
        return self._pool
