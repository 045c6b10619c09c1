from __future__ import annotations

from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A rule refused the change. Views and the API show its message; nothing was written."""
