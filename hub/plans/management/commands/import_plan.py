"""Import an action plan from a spreadsheet on the server.

    manage.py import_plan FILE --plan NAME [--create] [--dry-run] [--as EMAIL]

The same rules as the import page (``hub.plans.services.imports``): every row is checked
first and nothing is saved if any row has a problem; importing the same file again adds
nothing twice and updates leadership, timescale and outcomes that changed.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from hub.organisations.acting import acting_for, attach
from hub.plans.models import Plan
from hub.plans.services.actions import plan_create
from hub.plans.services.imports import (
    max_bytes,
    plan_import,
    plan_import_compare,
    read_plan_file,
    too_big_message,
)
from hub.plans.timescales import format_dates


class Command(BaseCommand):
    help = (
        "Import a plan's table (Strategic Aim, Actions, Leadership, Timescale, Outcomes) from "
        "a CSV or .xlsx file into the plan called NAME (its name or short name)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the .csv or .xlsx file")
        parser.add_argument("--plan", required=True, help="the plan's name or short name")
        parser.add_argument("--create", action="store_true", help="add the plan if it is new")
        parser.add_argument("--dry-run", action="store_true", help="check the file, save nothing")
        parser.add_argument("--as", dest="email", help="e-mail of the person importing")

    def handle(self, *args, **options):
        actor = self._actor(options["email"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"There is no file at {path}")
        if path.stat().st_size > max_bytes():
            raise CommandError(too_big_message(max_bytes()))
        try:
            table = read_plan_file(path.read_bytes(), path.name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for number, message in table.problems:
            self.stderr.write(f"Row {number}: {message}")
        if table.problems:
            raise CommandError(
                f"{len(table.problems)} problem(s) in {path.name}: nothing has been imported"
            )
        plan = self._plan(options["plan"], create=options["create"], dry_run=options["dry_run"])
        if plan is None:
            counts = {"new": len(table.rows), "update": 0, "same": 0, "aims": len(table.aims)}
        else:
            counts = plan_import_compare(plan=plan, rows=table.rows)
        for row in table.rows:
            dates = format_dates(row.dates)
            self.stdout.write(
                f"Row {row.number} [{row.change or 'new'}] {row.aim[:40]} | "
                f"{row.description[:60]} | {row.timescale}{f' ({dates})' if dates else ''}"
            )
        self.stdout.write(
            f"{len(table.rows)} actions under {len(table.aims)} aims: {counts['new']} new, "
            f"{counts['update']} to update, {counts['same']} unchanged, {counts['aims']} new aims"
        )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing saved")
            return
        try:
            result = plan_import(actor=actor, plan=plan, rows=table.rows)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported into {plan.name} ({plan.slug}): {result.created} new actions, "
                f"{result.updated} updated, {result.unchanged} unchanged, "
                f"{result.aims_created} new aims"
            )
        )

    def _plan(self, name: str, *, create: bool, dry_run: bool) -> Plan | None:
        plan = Plan.objects.filter(Q(slug=name) | Q(name__iexact=name.strip())).first()
        if plan is not None:
            return plan
        if not create:
            raise CommandError(f"There is no plan called ‘{name}’: add --create to add it")
        if dry_run:
            self.stdout.write(f"The plan ‘{name}’ would be added")
            return None
        try:
            plan = plan_create(actor=None, name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Added the plan {plan.name} ({plan.slug})")
        return plan

    def _actor(self, email: str | None):
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError("No active person has that e-mail address")
        attach(user, acting_for(user, None))
        return user
