"""The adapter boundary: where the registries' data comes from.

Everything in OneTrip reads the registries through :func:`provider`, which returns the
configured :class:`RegistryProvider` (setting ``REGISTRY_PROVIDER``: ``local`` by default, the
dotted path of a class otherwise). A district that joins its province's shared data exchange
(省政务数据共享交换平台) writes one class with these methods that calls the exchange, names it in
``REGISTRY_PROVIDER``, and nothing else changes: access rules, the trail and once-only stay here.

Records are plain frozen dataclasses, never model instances, so that a remote provider can
build them from whatever the exchange answers. A provider answers ``None`` (or ``[]``) for
"no such record" and raises :class:`RegistryUnavailable` when it cannot answer at all.

The electronic licence registry (电子证照库) belongs to the ``licenses`` app: it registers a
lookup function with :func:`register_licence_lookup`, and :meth:`LocalProvider.licences` asks
every registered function (none: no licences).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string


class RegistryUnavailable(Exception):
    """The provider could not answer (the exchange is down, a time-out): not the same as "no record"."""


@dataclass(frozen=True)
class PersonRecord:
    id_number: str
    name: str
    sex: str  # "male" / "female"
    birth_date: dt.date
    household_address: str
    source: str  # the provider's name, kept with every snapshot

    def snapshot(self) -> dict[str, Any]:
        return {**asdict(self), "birth_date": self.birth_date.isoformat()}


@dataclass(frozen=True)
class CompanyRecord:
    uscc: str
    name: str
    kind: str  # see models.CompanyKind
    legal_representative: str
    legal_representative_id_number: str
    legal_representative_mobile: str
    address: str
    status: str  # see models.CompanyState
    established_on: dt.date
    source: str

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def snapshot(self) -> dict[str, Any]:
        data = {**asdict(self), "established_on": self.established_on.isoformat()}
        data.pop("legal_representative_mobile")  # contact data is for the confirmation SMS only
        return data


@dataclass(frozen=True)
class LicenceRecord:
    """An electronic licence as a registry answers it (filled by the licenses app's lookup)."""

    number: str
    kind: str  # the licence type's name, e.g. 食品经营许可证
    holder_name: str
    holder_id: str  # resident ID number or USCC
    issuer: str
    issued_on: dt.date
    valid_until: dt.date | None
    status: str  # "valid", "suspended", "revoked", "expired", "replaced"
    source: str

    def snapshot(self) -> dict[str, Any]:
        return {**asdict(self), "issued_on": self.issued_on.isoformat(),
                "valid_until": self.valid_until.isoformat() if self.valid_until else None}


@runtime_checkable
class RegistryProvider(Protocol):
    """What a source of registry data must answer. ``name`` is stored with every record read."""

    name: str

    def person(self, id_number: str) -> PersonRecord | None:
        """The population registry's record of this resident ID number (normalised, 18 characters)."""
        ...

    def company(self, uscc: str) -> CompanyRecord | None:
        """The company registry's record of this unified social credit code (normalised)."""
        ...

    def licences(self, holder_id: str, kind: str = "") -> list[LicenceRecord]:
        """The electronic licences held by a person (ID number) or company (USCC), of one type
        (its name) or all; valid ones first."""
        ...


# --- The licence registry's lookups (filled by the licenses app) ------------------------------------

LicenceLookup = Callable[[str, str], list[LicenceRecord]]
_licence_lookups: list[LicenceLookup] = []


def register_licence_lookup(func: LicenceLookup) -> LicenceLookup:
    """The licenses app registers ``func(holder_id, kind) -> list[LicenceRecord]`` in its ``ready``."""
    if func not in _licence_lookups:
        _licence_lookups.append(func)
    return func


def unregister_licence_lookup(func: LicenceLookup) -> None:
    if func in _licence_lookups:
        _licence_lookups.remove(func)


class LocalProvider:
    """The registries as tables in OneTrip's own database (loaded from the district's extracts,
    or the demo's made-up people and companies)."""

    name = "local"

    def person(self, id_number: str) -> PersonRecord | None:
        from onetrip.registries.models import RegisteredPerson

        p = RegisteredPerson.objects.filter(id_number=id_number).first()
        if p is None:
            return None
        return PersonRecord(id_number=p.id_number, name=p.name, sex=p.sex, birth_date=p.birth_date,
                            household_address=p.household_address, source=self.name)

    def company(self, uscc: str) -> CompanyRecord | None:
        from onetrip.registries.models import RegisteredCompany

        c = RegisteredCompany.objects.filter(uscc=uscc).first()
        if c is None:
            return None
        return CompanyRecord(uscc=c.uscc, name=c.name, kind=c.kind, legal_representative=c.legal_representative,
                             legal_representative_id_number=c.legal_representative_id_number,
                             legal_representative_mobile=c.legal_representative_mobile, address=c.address,
                             status=c.status, established_on=c.established_on, source=self.name)

    def licences(self, holder_id: str, kind: str = "") -> list[LicenceRecord]:
        found: list[LicenceRecord] = []
        for lookup in _licence_lookups:
            found.extend(lookup(holder_id, kind))
        return sorted(found, key=lambda r: (r.status != "valid", r.issued_on), reverse=False)


def provider() -> RegistryProvider:
    """The configured provider (``settings.REGISTRY_PROVIDER``, a dotted class path)."""
    cls = import_string(settings.REGISTRY_PROVIDER)
    instance = cls()
    if not isinstance(instance, RegistryProvider):
        raise TypeError(f"{settings.REGISTRY_PROVIDER} does not implement RegistryProvider")
    return instance
