"""Background jobs: a registry, a runner, and the helper that keeps one bad row from stopping a job.

Each app declares its jobs in a ``jobs.py`` module (found like ``admin.py``)::

    from onetrip.core.jobs import for_each_claimed, job

    @job("hotline.return_visits", every=300)
    def return_visits() -> int:
        due = Ticket.objects.filter(state="answered", visit_due__lte=today()).exclude(visited_on=today())
        return for_each_claimed(due, {"visited_on": today()}, call_back)

A job is a function without arguments that claims its own rows and returns how many it handled
(an ``int``), or a few named counts (a ``dict`` of ints), or None. It must be safe to run on
several machines at once: it claims each row with a conditional update before acting on it, so
two workers never act on one row (``for_each_claimed`` does exactly that).

The runner (``manage.py worker``) runs each job that is due, catches and logs what a job raises
so that the next job still runs, and records every run on the job's ``JobRun`` row (admin:
background jobs). A job is due ``every`` seconds; several workers agree on it with a conditional
update of ``JobRun.next_run_at``, so a job normally runs once per period however many workers
there are (and if two ever overlap, the row claims still keep them apart).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, close_old_connections, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from onetrip.core.models import JobRun

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")
JobResult = int | Mapping[str, int] | None
JobFunc = Callable[[], JobResult]

DEFAULT_EVERY = 60.0
MAX_ERROR_CHARS = 4000
MAX_ROW_ERRORS_SHOWN = 20
DUE_SLACK_SECONDS = 2.0  # a job due this soon counts as due: cron's minute may start a little early


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    func: JobFunc
    every: float  # seconds between runs


class Registry:
    """Jobs by name. ``registry`` below is the project's; tests build their own."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def register(self, name: str, func: JobFunc, *, every: float = DEFAULT_EVERY) -> Job:
        if not name or len(name) > JobRun._meta.get_field("name").max_length:  # type: ignore[operator]
            raise ValueError(f"a job needs a name of 1 to 100 characters, not {name!r}")
        if every <= 0:
            raise ValueError(f"job {name!r}: every must be more than 0 seconds, not {every}")
        new = Job(name=name, func=func, every=float(every))
        with self._lock:
            old = self._jobs.get(name)
            if old is not None and old.func is not func:
                raise ValueError(f"two jobs are named {name!r}: {old.func.__qualname__} and {func.__qualname__}")
            self._jobs[name] = new
        return new

    def job(self, name: str, *, every: float = DEFAULT_EVERY) -> Callable[[JobFunc], JobFunc]:
        """Decorator: ``@job("app.what", every=60)``."""

        def decorator(func: JobFunc) -> JobFunc:
            self.register(name, func, every=every)
            return func

        return decorator

    def jobs(self, only: Sequence[str] | None = None) -> list[Job]:
        """The registered jobs by name, or just those named in ``only`` (unknown names refused)."""
        with self._lock:
            jobs = dict(self._jobs)
        if only:
            unknown = sorted(set(only) - set(jobs))
            if unknown:
                raise KeyError(f"no job named {', '.join(unknown)}; known: {', '.join(sorted(jobs)) or 'none'}")
            return [jobs[name] for name in sorted(set(only))]
        return [jobs[name] for name in sorted(jobs)]


registry = Registry()
job = registry.job
register = registry.register

_discovered = False


def autodiscover() -> None:
    """Import every installed app's ``jobs`` module, which registers its jobs."""
    global _discovered
    if not _discovered:
        autodiscover_modules("jobs")
        _discovered = True


# --- one bad row never stops a job -------------------------------------------------------------

_row_errors: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("job_row_errors", default=None)


def for_each(items: Iterable[T], handle: Callable[[T], Any], *, label: Callable[[T], str] = repr) -> int:
    """Call ``handle`` on each item, each in its own transaction. An item that raises is rolled
    back, logged and reported on the job's run, and the others go on. Returns how many succeeded."""
    done = 0
    for item in items:
        try:
            with transaction.atomic():
                handle(item)
        except Exception as exc:  # noqa: BLE001 - one item's failure must not stop the others
            logger.exception("background job: %s failed", label(item))
            errors = _row_errors.get()
            if errors is not None:
                errors.append(f"{label(item)}: {type(exc).__name__}: {exc}")
        else:
            done += 1
    return done


def claim(candidates: models.QuerySet[M], pk: Any, marks: Mapping[str, Any]) -> bool:
    """Claim one row: set ``marks`` on it with a conditional update that only matches while it is
    still among ``candidates``. Exactly one of several concurrent claimers gets True, provided
    the marks take the row out of ``candidates`` (e.g. candidates exclude ``warned_on=today`` and
    the marks set ``warned_on=today``)."""
    return candidates.filter(pk=pk).update(**marks) == 1


def for_each_claimed(candidates: models.QuerySet[M], marks: Mapping[str, Any], handle: Callable[[M], Any], *,
                     limit: int = 500) -> int:
    """Claim up to ``limit`` rows of ``candidates`` one by one (see ``claim``) and call ``handle`` on
    each row this worker claimed, freshly read, in its own transaction (``for_each``): a row
    another worker claimed first is skipped, a row that raises is logged and the rest go on.
    A claimed row whose handling failed keeps its marks; use marks that expire (a lease time)
    when such a row must be retried. Returns how many rows were handled."""
    model = candidates.model
    pks = list(candidates.order_by("pk").values_list("pk", flat=True)[:limit])

    def claimed() -> Iterable[M]:
        for pk in pks:
            if claim(candidates, pk, marks):
                row = model._default_manager.filter(pk=pk).first()
                if row is not None:
                    yield row

    return for_each(claimed(), handle, label=lambda row: f"{model._meta.label} {row.pk}")


# --- the runner ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    status: str  # JobRun.Status
    count: int
    result: Any
    error: str
    seconds: float


def _count(result: JobResult) -> int:
    if result is None:
        return 0
    if isinstance(result, bool) or not isinstance(result, int | Mapping):
        raise TypeError(f"a job returns an int, a dict of ints or None, not {result!r}")
    if isinstance(result, Mapping):
        return sum(int(v) for v in result.values())
    return result


def _take_turn(job: Job, now: dt.datetime, *, force: bool) -> bool:
    """Whether this worker runs ``job`` now: it is due (or forced) and no other worker moved its
    next run meanwhile. Moving ``next_run_at`` is the claim."""
    rows = JobRun.objects.filter(name=job.name)
    if not rows.exists():
        try:
            with transaction.atomic():
                JobRun.objects.create(name=job.name, next_run_at=now)
        except IntegrityError:
            pass  # another worker created it
    slack = dt.timedelta(seconds=min(DUE_SLACK_SECONDS, job.every / 2))
    due = rows if force else rows.filter(next_run_at__lte=now + slack)
    return due.update(next_run_at=now + dt.timedelta(seconds=job.every), started_at=now) == 1


def run_job(job: Job) -> Outcome:
    """Run one job now, catching and logging what it raises, and record the run."""
    errors: list[str] = []
    token = _row_errors.set(errors)
    started = time.monotonic()
    result: JobResult = None
    count = 0
    try:
        result = job.func()
        count = _count(result)
    except Exception as exc:  # noqa: BLE001 - one job's failure must not stop the others
        logger.exception("background job %s failed", job.name)
        status, error = JobRun.Status.FAILED, f"{type(exc).__name__}: {exc}"
    else:
        if errors:
            shown = errors[:MAX_ROW_ERRORS_SHOWN]
            more = len(errors) - len(shown)
            status = JobRun.Status.PARTIAL
            error = f"{len(errors)} item(s) failed:\n" + "\n".join(shown) + (f"\n… and {more} more" if more else "")
        else:
            status, error = JobRun.Status.OK, ""
    finally:
        _row_errors.reset(token)
    seconds = time.monotonic() - started
    error = error[:MAX_ERROR_CHARS]
    failed = status != JobRun.Status.OK
    try:
        JobRun.objects.filter(name=job.name).update(
            finished_at=timezone.now(), status=status, count=count,
            result=result if isinstance(result, int | None) else dict(result), error=error,
            runs=F("runs") + 1, failures=F("failures") + int(failed))
    except Exception:  # noqa: BLE001 - the record is for the operator; never stop the loop for it
        logger.exception("background job %s: could not record the run", job.name)
    return Outcome(job.name, status, count, result, error, seconds)


def run_due(*, only: Sequence[str] | None = None, force: bool = False,
            jobs: Registry | None = None) -> list[Outcome]:
    """One pass: run each registered job (or those in ``only``) that is due, or all of them with
    ``force``. Returns what each job that ran did."""
    if jobs is None:
        autodiscover()
        jobs = registry
    outcomes = []
    for job_ in jobs.jobs(only):
        try:
            mine = _take_turn(job_, timezone.now(), force=force)
        except Exception:  # noqa: BLE001 - e.g. the database is away for a moment: try next pass
            logger.exception("background job %s: could not check whether it is due", job_.name)
            continue
        if mine:
            outcomes.append(run_job(job_))
    return outcomes


def run_forever(*, interval: float, only: Sequence[str] | None = None, jobs: Registry | None = None,
                stop: threading.Event | None = None, report: Callable[[list[Outcome]], None] | None = None) -> None:
    """Run due jobs every ``interval`` seconds until ``stop`` is set (Ctrl-C or SIGTERM in the
    worker command). A job that is running is finished first."""
    stop = stop or threading.Event()
    while not stop.is_set():
        close_old_connections()  # a long-lived process: drop connections that broke or aged meanwhile
        outcomes = run_due(only=only, jobs=jobs)
        if report is not None:
            report(outcomes)
        stop.wait(interval)


@job("core.outbox", every=30)
def send_outbox() -> int:
    """Send queued SMS and e-mail (every app's), and retry those that failed."""
    from onetrip.core import outbox

    return outbox.send_pending()


# --- the core's own jobs -----------------------------------------------------------------------


@job("core.trail_seal", every=300)
def trail_seal() -> int:
    """Seal the trail entries appended since the last checkpoint under a new signed checkpoint."""
    from onetrip.core import trail  # the trail imports the models; keep this module light

    return trail.seal()
