"""What a supervision order (督办) may be about, besides a case: apps on this floor or above (the
12345 hotline's tickets) register a kind of subject here in their ``AppConfig.ready``. An order
keeps the subject's key (``"<kind>:<id>"``, e.g. ``"hotline.ticket:42"``) and its label (what people
call it, e.g. the ticket number); the kind finds a subject from what a supervisor types, says which
department answers for it, and links to its staff page. Supervision imports none of those apps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Subject:
    """One matter an order can be about: ``key`` is stable (``"<kind>:<id>"``), ``label`` is what a
    person reads and types (a ticket number), ``department_id`` the department that must act (None
    while nobody handles it yet)."""

    key: str
    label: str
    department_id: int | None


@dataclass(frozen=True)
class SubjectKind:
    """A kind of subject: ``find`` turns what a supervisor types (a ticket number) into a subject
    (None if there is no such thing); ``url`` links to its staff page from its id and label."""

    name: str
    label: str | Promise  # e.g. "Hotline ticket"
    find: Callable[[str], Subject | None]
    url: Callable[[str, str], str]


KINDS: dict[str, SubjectKind] = {}


def register(kind: SubjectKind) -> None:
    """Add a kind of subject; registering one name twice with another definition is an error."""
    old = KINDS.get(kind.name)
    if old is not None and old != kind:
        raise ValueError(f"two kinds of order subject are named {kind.name!r}")
    KINDS[kind.name] = kind


def key_for(kind: str, ident: object) -> str:
    return f"{kind}:{ident}"


def split(key: str) -> tuple[str, str]:
    """``"hotline.ticket:42"`` → ``("hotline.ticket", "42")``; ``("", "")`` for no subject."""
    kind, _, ident = (key or "").partition(":")
    return (kind, ident) if ident else ("", "")


def find(kind: str, reference: str) -> Subject | None:
    """The subject a supervisor names (None for an unknown kind or an unknown reference)."""
    k = KINDS.get(kind)
    reference = (reference or "").strip()
    if k is None or not reference:
        return None
    return k.find(reference)


def kind_label(key: str) -> str:
    k = KINDS.get(split(key)[0])
    return str(k.label) if k is not None else ""


def url(key: str, label: str) -> str:
    """The staff page of an order's subject ("" when its kind is not registered here)."""
    kind, ident = split(key)
    k = KINDS.get(kind)
    return k.url(ident, label) if k is not None else ""
