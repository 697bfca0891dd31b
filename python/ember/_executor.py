"""An executor of a Python driver in cluster mode: ``python -m ember._executor <context>``.

A cluster driver starts this module on every executor (see :mod:`ember._cluster`): it builds
the driver's context (which, in a process the driver launched, becomes the executor: it joins
the driver and runs its tasks), then replays the driver's recorded calls in order until the
driver goes away, which ends the process. A replayed call that fails is logged and skipped: the
driver's call failed the same way, or, if it did not, the next job fails on the driver with an
error saying the executor took another path.
"""

import io
import pickle
import sys
import traceback
from typing import Any

from ember import _cluster, _ember


class _StepUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, objects: dict[int, Any]) -> None:
        super().__init__(io.BytesIO(data))
        self._objects = objects

    def persistent_load(self, pid: Any) -> Any:  # noqa: D102 (pickle's protocol)
        try:
            return self._objects[pid]
        except KeyError:
            raise pickle.UnpicklingError(f"the driver's object {pid} was not built here") from None


def _target(objects: dict[int, Any], target: Any, method: Any) -> Any:
    if isinstance(target, str):
        cls = getattr(_ember, target)
        return cls if method is None else getattr(cls, method)
    return getattr(objects[target], method)


def replay(native: Any) -> None:
    """Replays the driver's calls on ``native`` (the executor's context) until the driver goes."""
    objects: dict[int, Any] = {0: native}
    count = 0
    while True:
        step = native.next_program_step()
        if step is None:
            return
        count += 1
        try:
            target, method, args, kwargs, handle, dropped = _StepUnpickler(step, objects).load()
        except Exception:
            print(f"ember executor: cannot decode step {count}:\n{traceback.format_exc()}",
                  file=sys.stderr, flush=True)
            continue
        try:
            result = _target(objects, target, method)(*args, **kwargs)
            if isinstance(result, _cluster.NATIVE_TYPES):
                objects[handle] = result
        except Exception as e:
            name = f"{target if isinstance(target, str) else type(objects.get(target)).__name__}.{method}"
            print(f"ember executor: step {count} ({name}) failed: {type(e).__name__}: {e}",
                  file=sys.stderr, flush=True)
        # After the call: the driver may have dropped the call's own target while making it.
        for d in dropped:
            objects.pop(d, None)


def main(argv: list[str]) -> None:
    """Builds the driver's context from ``argv[1]`` and replays the driver's calls."""
    if len(argv) != 2:
        sys.exit("usage: python -m ember._executor <context> (started by an Ember driver)")
    master, app_name, settings, worker_env, path = _cluster.decode_context(argv[1])
    for p in path:
        if p and p not in sys.path:
            sys.path.append(p)
    native = _ember.NativeContext(master, app_name, settings, sys.executable, worker_env)
    replay(native)


if __name__ == "__main__":
    main(sys.argv)
