"""Create the district CA (root, time-stamping authority) now rather than at the first signature,
and print the root certificate's fingerprint (publish it beside the certificate)."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.management.base import BaseCommand

from onetrip.accounts.models import Department
from onetrip.licenses import ca


class Command(BaseCommand):
    help = "Create the district certificate authority (root, TSA, department seals) if missing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seals", action="store_true", help="Also issue every department's seal certificate.")

    def handle(self, *args: Any, **options: Any) -> None:
        root = ca.root()
        ca.tsa()
        if options["seals"]:
            for department in Department.objects.all():
                ca.department_seal(department)
        fingerprint = root.certificate.fingerprint(hashes.SHA256()).hex(":").upper()
        self.stdout.write(f"Root CA: {root.certificate.subject.rfc4514_string()}\n"
                          f"SHA-256 fingerprint: {fingerprint}\nKeys in: {settings.LICENSES_KEY_DIR}")
