"""The journal of an onboarding's writes: what it is about to write over, kept in the package's
git directory while it writes, so that a run killed outright (SIGKILL, a power cut), which no
rollback can run in, is put back by the next run before it does anything else."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from .infer import git_output
from .workers import process_alive


class JournalInUse(Exception):
    """The journal cannot be used to put the package back: the message says why, and what to do."""


def journal_for(path: Path) -> Journal | None:
    """The journal of the package at `path`, in its repository's git directory (one per
    package, for repositories that hold several)."""
    git_dir = git_output(path, "rev-parse", "--absolute-git-dir")
    if not git_dir:
        return None
    key = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    return Journal(Path(git_dir) / f"python-package-template-onboarding-{key}.json")


class Journal:
    """What an onboarding is about to write over, kept in the git directory while it writes, so
    that a run killed outright (SIGKILL, a power cut) is put back by the next run."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def write(
        self,
        head: str,
        saved: dict[str, bytes | None],
        new_dirs: list[str],
        index: bytes | None,
        had_lock: bool,
    ) -> None:
        def encoded(data: bytes | None) -> str | None:
            return None if data is None else base64.b64encode(data).decode("ascii")

        document = {
            "pid": os.getpid(),
            "head": head,
            "files": {relative: encoded(data) for relative, data in saved.items()},
            "new_dirs": new_dirs,
            "index": encoded(index),
            "had_lock": had_lock,
        }
        partial = self.file.with_name(self.file.name + ".partial")
        with partial.open("w", encoding="utf-8") as out:
            json.dump(document, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, self.file)

    def remove(self) -> None:
        self.file.unlink(missing_ok=True)

    def put_back(self, path: Path) -> list[str]:
        """Put back what a killed run half wrote (nothing when there is no journal); the names
        of the files put back."""
        if not self.file.is_file():
            return []
        document = json.loads(self.file.read_text(encoding="utf-8"))
        head = git_output(path, "rev-parse", "HEAD")
        if process_alive(document.get("pid", 0)):
            raise JournalInUse(
                f"another onboarding (pid {document['pid']}) is writing this package now; let it finish."
            )
        if document["head"] != head:
            raise JournalInUse(
                f"an onboarding of this package was killed while it wrote, at commit {document['head'][:12]}, and the"
                f" package has moved on since (HEAD is {head[:12]}), so what it wrote was not put back"
                f" automatically. Check `git status`, then delete {self.file}."
            )
        restored = []
        for relative, data in document["files"].items():
            target = path / relative
            original = None if data is None else base64.b64decode(data)
            current = target.read_bytes() if target.is_file() else None
            if current != original:
                restored.append(relative)
                if original is None:
                    target.unlink(missing_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(original)
        for directory in reversed(document["new_dirs"]):
            if (path / directory).is_dir() and not any((path / directory).iterdir()):
                (path / directory).rmdir()
        index = self.file.with_name("index")
        if not document["had_lock"]:
            index.with_name("index.lock").unlink(missing_ok=True)
        if document["index"] is not None:
            index.write_bytes(base64.b64decode(document["index"]))
        self.remove()
        return restored


__all__ = ["Journal", "JournalInUse", "journal_for"]
