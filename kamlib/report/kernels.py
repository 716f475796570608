"""One warm kernel per worker process, reused from notebook to notebook.

Starting a kernel and importing pandas, matplotlib, seaborn and kamlib costs more than a
small notebook's own cells, so each worker keeps one kernel: started (and its imports sent)
when the worker starts, reset between notebooks, replaced when a notebook failed or the
kernel died. The reset clears the user namespace, closes figures and restores matplotlib and
pandas defaults, so a report cannot see what the previous one left behind.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import tempfile
from pathlib import Path

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

__all__ = ["start", "get", "reset", "begin_reset", "finish_reset", "discard", "kill_now",
           "close_clients", "recycle_if_large", "resident_mb", "KERNEL_MEMORY_MB",
           "WARM_UP", "RESET", "QuickClient", "Manager"]

WARM_UP = ("import matplotlib; matplotlib.use('module://matplotlib_inline.backend_inline')\n"
           "import pandas, numpy, matplotlib.pyplot, seaborn\n"
           "import kamlib, kamlib.plots, kamlib.report, kamlib.concentration, kamlib.abcxyz\n"
           "import kamlib.planning.page, kamlib.planning.portfolio\n"
           # the reset's gc.collect() would walk every imported object again, 0.2 s per
           # notebook: what is imported now stays for the kernel's life anyway
           "import gc; gc.freeze()")
RESET = ("get_ipython().reset(new_session=True)\n"  # also restarts the execution count at 1
         "import matplotlib, matplotlib.pyplot, pandas\n"
         "matplotlib.pyplot.close('all'); matplotlib.rcdefaults(); pandas.reset_option('all')\n"
         # the heap the notebook's frames freed goes back to the system (kamlib._memory):
         # else the kernel holds its largest notebook's peak for the rest of the build
         "import kamlib._memory; kamlib._memory.give_back()")

_kernels: dict[Path, AsyncKernelManager] = {}
_sockets: list[str] = []  # this worker's private folder for kernel IPC sockets


class QuickClient(AsyncKernelClient):
    """A client of an already running kernel that is ready as soon as it answers.

    jupyter_client waits for 0.2 s of silence on IOPub after the kernel answered, to drop
    stale messages; papermill makes a client per notebook, so with a warm kernel that wait
    was a third of a small notebook's time. nbclient reads only messages answering its own
    requests, so a stale message left over does no harm: the flush here is 10 ms.
    """

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (60.0 if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:  # IOPub is connected once the kernel's status for it arrives
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(msg)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0.01)
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready  # AsyncKernelClient binds the base one by name


class Manager(AsyncKernelManager):
    """A kernel manager that remembers the clients it made, so they can be closed.

    papermill (through nbclient) makes a client per notebook and, on a kernel it does not
    own, never stops it: each left its five channels, a zmq context (an I/O thread, its
    epoll and event descriptors) and a subscription to the kernel's output open. Every
    later notebook's output was then queued to every earlier client: descriptors grew by
    a few per plan and memory with the square of the plans written (GBs after a thousand).
    :func:`close_clients` after each notebook keeps both flat.
    """

    def client(self, **kwargs) -> AsyncKernelClient:  # noqa: D102 - as the base, recorded
        kc = super().client(**kwargs)
        self.__dict__.setdefault("made_clients", []).append(kc)
        return kc


def close_clients(cwd: Path) -> int:
    """Stop every client of ``cwd``'s kernel still open (channels, context); how many."""
    km = _kernels.get(cwd)
    clients = km.__dict__.pop("made_clients", []) if km is not None else []
    for kc in clients:
        _stop(kc)
    return len(clients)


def _stop(kc) -> None:
    """Close a client's channels and its own zmq context (idempotent)."""
    try:
        kc.stop_channels()  # destroys the context the client created, once channels stop
    except Exception:  # noqa: BLE001 - a client of a dead kernel: still close the context
        pass
    context = getattr(kc, "_created_context", False) and kc.context
    if context and not context.closed:
        context.destroy(linger=0)


def _socket_dir() -> str:
    if not _sockets:
        _sockets.append(tempfile.mkdtemp(prefix="kamkit-kernels-"))
    return _sockets[0]


def _wait(kc, msg_id: str, timeout: float) -> None:
    """Wait for the reply to ``msg_id``, then close the client."""
    async def wait() -> None:
        while (await kc.get_shell_msg(timeout=timeout))["parent_header"].get("msg_id") \
                != msg_id:
            pass

    try:
        run_sync(wait)()
    finally:
        _stop(kc)


def _execute(km: AsyncKernelManager, code: str, timeout: float = 120) -> None:
    """Run ``code`` silently (no execution count) and wait for its reply."""
    kc = km.client()
    kc.start_channels()
    _wait(kc, kc.execute(code, silent=True), timeout)


def start(cwd: Path) -> None:
    """Start this worker's kernel in ``cwd``; its warm-up imports run in the background."""
    # IPC sockets where possible: no open TCP ports (ipykernel warns about them), the
    # socket files in a private temporary folder rather than the working directory
    if os.name == "posix":
        km = Manager(kernel_name="python3", transport="ipc",
                     ip=os.path.join(_socket_dir(), "kernel"))
    else:
        km = Manager(kernel_name="python3")
    km.client_factory = QuickClient
    run_sync(km.start_kernel)(cwd=str(cwd))
    kc = km.client()
    kc.start_channels()
    # not waited for here: the imports run while the worker imports papermill and nbconvert
    km.warm_up = (kc, kc.execute(WARM_UP, silent=True))
    _kernels[cwd] = km
    _shut_down_at_exit()


@functools.cache
def _shut_down_at_exit() -> None:
    from multiprocessing.util import Finalize

    # pool workers leave through os._exit, which skips atexit: finalizers still run
    Finalize(None, shutdown, exitpriority=10)


def get(cwd: Path) -> AsyncKernelManager:
    """The warm kernel for notebooks in ``cwd`` (started now if there is none)."""
    if cwd not in _kernels:
        start(cwd)
    km = _kernels[cwd]
    warm_up = getattr(km, "warm_up", None)
    if warm_up is not None:  # a failed warm-up is harmless: the notebook imports again
        km.warm_up = None
        _wait(*warm_up, timeout=120)
    return km


def reset(cwd: Path) -> None:
    """Clear the kernel for the next notebook; replace it if that fails."""
    finish_reset(cwd, begin_reset(cwd))


def begin_reset(cwd: Path) -> tuple | None:
    """Send the reset and return at once: the kernel clears itself while the worker
    exports the page. :func:`finish_reset` waits for it."""
    try:
        kc = _kernels[cwd].client()
        kc.start_channels()
        return kc, kc.execute(RESET, silent=True)
    except Exception:  # noqa: BLE001 - a kernel that cannot reset is not reused
        discard(cwd)
        return None


def finish_reset(cwd: Path, pending: tuple | None) -> None:
    """Wait for the reset :func:`begin_reset` sent; replace the kernel if it failed."""
    try:
        if pending is None:
            raise RuntimeError("reset not sent")
        _wait(*pending, timeout=30)
    except Exception:  # noqa: BLE001 - a kernel that cannot reset is not reused
        discard(cwd)


def discard(cwd: Path) -> None:
    """Shut the kernel down (after a failure); the next notebook gets a new one."""
    close_clients(cwd)
    km = _kernels.pop(cwd, None)
    if km is not None:
        run_sync(km.shutdown_kernel)(now=True)


KERNEL_MEMORY_MB = 1500  # a kernel holding more after a notebook is replaced by a new one


def resident_mb(pid: int) -> float | None:
    """Resident memory of process ``pid`` in MB (Linux ``/proc``), or None if unknown."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def recycle_if_large(cwd: Path, limit_mb: float = KERNEL_MEMORY_MB) -> bool:
    """Replace ``cwd``'s kernel if it holds more than ``limit_mb`` (memory a notebook left
    behind that the reset could not free); whether it was replaced."""
    km = _kernels.get(cwd)
    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    size = resident_mb(pid) if pid else None
    if size is None or size <= limit_mb:
        return False
    discard(cwd)
    return True


def kill_now() -> None:
    """Kill the kernels outright: the build is gone and there is no time to shut down.

    (ipykernel also exits when its parent changes, but only on its next poll.)
    """
    for km in list(_kernels.values()):
        pid = getattr(km.provisioner, "pid", None)
        if pid:
            try:
                os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
            except OSError:
                pass
    for folder in _sockets:
        shutil.rmtree(folder, ignore_errors=True)


def shutdown() -> None:
    for cwd in list(_kernels):
        discard(cwd)
    for folder in _sockets:
        shutil.rmtree(folder, ignore_errors=True)
