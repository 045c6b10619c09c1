from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from onetrip.demo import people
from onetrip.demo.services import load


class Command(BaseCommand):
    help = "Load the demo district 鼎城区 (idempotent) and print the demo accounts. --serve also starts the server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--serve", action="store_true", help="serve on 127.0.0.1:$PORT (8000) afterwards, with the clock worker")
        parser.add_argument("--no-history", action="store_true",
                            help="without the four months of finished cases behind the dashboards (faster, for tests)")

    def handle(self, *args: Any, **options: Any) -> None:
        report = load(history=not options["no_history"])
        self.stdout.write(self.style.SUCCESS(
            f"Demo district loaded: {report.departments} departments, {report.items} published items, "
            f"{report.bundles} life-event bundles" + ("" if report.created_anything else " (already there; nothing changed)")
        ))
        from onetrip.registries.models import RegisteredCompany, RegisteredPerson

        self.stdout.write(f"Registries: {RegisteredPerson.objects.count()} people, "
                          f"{RegisteredCompany.objects.count()} companies (made up, valid check characters)")
        self.stdout.write(f"\nDemo accounts (password for all: {people.DEMO_PASSWORD})\n")
        self.stdout.write(f"  {'username':<16} {'role':<28} department")
        for username, role, department in report.users:
            self.stdout.write(f"  {username:<16} {role:<28} {department}")
        self.stdout.write("\nIntermediary agencies (中介服务超市, /agencies/; same password; the waiting one is "
                          "reviewed at /staff/agencies/ by shengaiban or admin):")
        for username, agency, state in report.agencies:
            self.stdout.write(f"  {username:<16} {agency}  ({state})")
        self.stdout.write("\nCitizens log in with their mobile number. Catalogue admin: /admin/ · API: /api/docs")
        self.stdout.write("Hall kiosk: as shengaiban open /hall/kiosk/enrol/ on the kiosk's browser, log out, "
                          "then /hall/kiosk/ gives tickets; on a phone, log in and use /hall/")
        self.stdout.write("\nDemo cases (look one up at /progress/ with its number and the mobile number):")
        for number, state, mobile in report.cases:
            self.stdout.write(f"  {number}  {mobile}  {state}")
        self.stdout.write("")
        if options["serve"]:
            call_command("serve", with_clock=True)
