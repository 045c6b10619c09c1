"""The licences' background work on the job registry, for ``manage.py worker``.

``licenses.issue`` claims each pending licence with a conditional update (``claimed_at``, a
lease: a licence claimed by a worker that died is taken over after LICENSES_ISSUE_LEASE_SECONDS)
and issues it outside any long transaction, so that signing (about 0.1 s) holds no lock;
``licenses.expire`` marks licences past their last day."""

from __future__ import annotations

import logging

from django.db.models import F
from django.utils import timezone

from onetrip.core.jobs import claim, job
from onetrip.licenses import services
from onetrip.licenses.models import Licence

logger = logging.getLogger(__name__)


def issue_pending(*, limit: int = 200) -> dict[str, int]:
    candidates = services.pending_licences()
    pks = list(candidates.order_by("pk").values_list("pk", flat=True)[:limit])
    issued = failed = 0
    for pk in pks:
        if not claim(candidates, pk, {"claimed_at": timezone.now(), "attempts": F("attempts") + 1}):
            continue  # another worker has it
        try:
            services.issue(Licence(pk=pk))
        except Exception:  # noqa: BLE001 - one licence's failure must not stop the others; retried after the lease
            logger.exception("licenses.issue: licence %s failed", pk)
            failed += 1
        else:
            issued += 1
    return {"issued": issued, "failed": failed}


@job("licenses.issue", every=10)
def issue() -> dict[str, int]:
    """电子证照: issue, sign and timestamp the licences of approved cases."""
    return issue_pending()


@job("licenses.expire", every=3600)
def expire() -> int:
    """到期: valid licences whose last day has passed become expired."""
    return services.expire_due()
