"""The processes a crawl leaves behind, read from /proc (Linux): its extraction workers
and anything else it started, so a test can kill one or check that none survives."""

from __future__ import annotations

from pathlib import Path


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid`` (children, their children, ...)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = _fields(stat)
        if fields and fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def workers(pid: int) -> set[int]:
    """The extraction workers among ``pid``'s descendants (they name themselves)."""
    return {p for p in descendants(pid) if _name(p) == "agg-extract"}


def writers(pid: int) -> set[int]:
    """The store writer among ``pid``'s descendants (one per crawl)."""
    return {p for p in descendants(pid) if _name(p) == "agg-writer"}


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (a zombie has exited: only its exit status is left)."""
    return {p for p in pids if (fields := _fields(Path(f"/proc/{p}/stat"))) and fields[0] != "Z"}


def _fields(stat: Path) -> list[str]:
    """state, ppid, ... of a /proc/PID/stat (the command name may hold spaces and parentheses)."""
    try:
        text = stat.read_text()
    except OSError:
        return []
    return text[text.rfind(")") + 2 :].split()


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""
