"""Per-package work in parallel processes, all or nothing under Ctrl-C, SIGTERM and a killed
command.

- Ctrl-C (SIGINT, which a terminal sends to every process of the command): the main process
  tells the workers through an event; each finishes the package it is on, or stops before
  writing it (onboarding asks `stop_requested()` just before it writes).
- SIGTERM is handled like Ctrl-C in the main process (`handle_sigterm`). A worker that gets it
  (as `kill -TERM -PGID` sends it to all) interrupts the package it is on: onboarding puts back
  what it wrote, an update removes its worktree and branch.
- A worker whose main process died (SIGKILL) interrupts its package the same way and exits,
  instead of waiting for work for ever.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any


class Interrupted(Exception):
    """A package that Ctrl-C (or SIGTERM) stopped before it was worked on."""


_stop_event = None  # in worker processes: set when the command was interrupted
_terminated = False  # in worker processes: SIGTERM came, or the main process died
_busy = threading.Lock()  # in worker processes: held while a package is worked on


def in_worker() -> bool:
    return _stop_event is not None


def stop_requested() -> bool:
    return _terminated or (_stop_event is not None and _stop_event.is_set())


def process_alive(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie, killed but not yet reaped, does not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def _on_sigterm(signum, frame) -> None:
    global _terminated
    _terminated = True
    if _busy.locked():
        raise KeyboardInterrupt  # the package being worked on is put back as it was


def _watch_parent(parent: int) -> None:
    """Interrupt this worker's package and exit once the main process is gone."""
    while os.getppid() == parent:
        time.sleep(0.2)
    os.kill(os.getpid(), signal.SIGTERM)
    with _busy:  # the package is put back (or finished); then nobody waits for the result
        os._exit(1)


def _init_worker(event, parent: int) -> None:
    global _stop_event
    _stop_event = event
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _job(func: Callable[..., Any], *args: Any) -> Any:
    with _busy:
        return func(*args)


@contextlib.contextmanager
def handle_sigterm() -> Iterator[None]:
    """In the main process: SIGTERM raises KeyboardInterrupt, as Ctrl-C does."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (a test running the command in a thread)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def run_tempdir() -> Iterator[Path]:
    """One temporary directory for the whole run, the workers and the tools they start (TMPDIR)
    included, removed at the end however the run ends (Ctrl-C and SIGTERM too): a temporary
    directory whose own clean-up an interrupt cut short goes with it."""
    base = Path(tempfile.gettempdir())
    remove_stale_run_dirs(base)
    run_dir = Path(tempfile.mkdtemp(prefix=f"ppt-run-{os.getpid()}-", dir=base))
    saved_tempdir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = str(run_dir)
    os.environ["TMPDIR"] = str(run_dir)
    try:
        yield run_dir
    finally:
        tempfile.tempdir = saved_tempdir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        with signals_held():
            for _ in range(10):  # a tool killed with us may still be writing there a moment
                shutil.rmtree(run_dir, ignore_errors=True)
                if not run_dir.exists():
                    break
                time.sleep(0.1)


def remove_stale_run_dirs(base: Path) -> list[Path]:
    """The run directories in `base` that a run killed outright (SIGKILL: no clean-up runs)
    left, removed: this user's, named by a process that no longer runs."""
    removed = []
    for folder in base.glob("ppt-run-*-*"):
        pid = folder.name.split("-")[2]
        try:
            mine = folder.is_dir() and not folder.is_symlink() and folder.stat().st_uid == os.getuid()
        except OSError:
            continue
        if mine and pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold off Ctrl-C and SIGTERM (in this thread) while something is being put back: a second
    signal must not leave it half restored. They are delivered afterwards."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, OSError, ValueError):  # no pthread_sigmask (Windows)
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def run_all(
    func: Callable[..., Any], jobs_args: list[tuple], jobs: int, progress: Callable[[int, Any], None]
) -> list[Any]:
    """func(*args) for each args, in at most `jobs` processes; results in input order.
    `progress(index, result)` is called as each finishes. After Ctrl-C or SIGTERM, the packages
    not done get an `Interrupted` result (those being worked on finish, or are put back)."""
    results: list[Any] = [None] * len(jobs_args)
    if jobs <= 1 or len(jobs_args) <= 1:
        for index, args in enumerate(jobs_args):
            try:
                results[index] = func(*args)
            except KeyboardInterrupt:
                for rest in range(index, len(jobs_args)):
                    results[rest] = Interrupted()
                break
            progress(index, results[index])
        return results
    event = multiprocessing.get_context().Event()
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(jobs_args)), initializer=_init_worker, initargs=(event, os.getpid())
    )
    futures = {pool.submit(_job, func, *args): index for index, args in enumerate(jobs_args)}
    try:
        for future in as_completed(futures):
            index = futures[future]
            try:
                results[index] = future.result()
            except Exception as error:  # a worker that died: report it, carry on
                results[index] = error
            progress(index, results[index])
    except KeyboardInterrupt:
        event.set()
        pool.shutdown(wait=True, cancel_futures=True)
        for future, index in futures.items():
            if results[index] is None:
                done = future.done() and not future.cancelled() and future.exception() is None
                results[index] = future.result() if done else Interrupted()
    finally:
        pool.shutdown(wait=True)
    return results


__all__ = [
    "Interrupted",
    "handle_sigterm",
    "in_worker",
    "process_alive",
    "run_all",
    "run_tempdir",
    "signals_held",
    "stop_requested",
]
