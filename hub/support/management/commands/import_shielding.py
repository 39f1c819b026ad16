"""Import the NHS shielded patient list from a file on the server, with progress.

    manage.py import_shielding FILE [--as EMAIL] [--batch-size N]
    manage.py import_shielding --resume ID

It does what the import page does (the same services), but runs at once instead of in the
background, and maps the columns by their headers without asking. An interrupted import
carries on from its last committed batch with ``--resume``.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hub.organisations.acting import acting_for, attach
from hub.support.models import ShieldingImport
from hub.support.services.errors import ConflictError
from hub.support.services.shielding import (
    shielding_import_confirm,
    shielding_import_create,
    shielding_import_run,
)
from hub.support.shielding_csv import FIELD_LABELS


class Command(BaseCommand):
    help = (
        "Import a shielded patient list CSV (columns found by their headers), or carry on "
        "with an interrupted import. Prints progress and a summary; rejected rows are listed "
        "on the import's page and in its CSV download."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="path to the .csv file")
        parser.add_argument("--as", dest="email", help="e-mail of the coordinator importing")
        parser.add_argument("--batch-size", type=int, default=2000, help="rows per transaction")
        parser.add_argument("--resume", type=int, metavar="ID", help="carry on with import ID")

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        actor = self._actor(options["email"])
        if options["resume"]:
            shielding_import = ShieldingImport.objects.filter(pk=options["resume"]).first()
            if shielding_import is None:
                raise CommandError(f"There is no import {options['resume']}")
        elif options["file"]:
            shielding_import = self._create(Path(options["file"]), actor)
        else:
            raise CommandError("Give the file to import, or --resume ID")
        self.stdout.write(
            f"Import {shielding_import.pk}: about {shielding_import.total_rows:,} rows"
        )
        try:
            done = shielding_import_run(
                shielding_import=shielding_import,
                batch_size=options["batch_size"],
                progress=self._progress,
            )
        except (ValidationError, ConflictError) as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except Exception as exc:
            raise CommandError(
                f"Import {shielding_import.pk} stopped: {type(exc).__name__}. Everything up to "
                f"the last batch is saved; run with --resume {shielding_import.pk} to carry on."
            ) from exc
        if done.status != ShieldingImport.Status.DONE:
            raise CommandError(
                f"Import {done.pk} is being run elsewhere ({done.processed_rows:,} rows done)"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Import {done.pk} finished: {done.processed_rows:,} rows; "
                f"{done.created_count:,} new, {done.updated_count:,} updated, "
                f"{done.unchanged_count:,} unchanged, {done.rejected_count:,} rejected"
            )
        )
        if done.rejected_count:
            self.stdout.write(
                f"{done.rejected_count:,} rejected rows: see /support/imports/{done.pk}/ "
                "or its CSV download for each row number and reason"
            )

    def _progress(self, shielding_import: ShieldingImport) -> None:
        self.stdout.write(
            f"  {shielding_import.processed_rows:,} of {shielding_import.total_rows:,} rows "
            f"({shielding_import.rejected_count:,} rejected so far)"
        )

    def _actor(self, email):
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"There is no one with the e-mail {email}")
        attach(user, acting_for(user, None))
        if not user.has_perm("support.import_shielding"):
            raise CommandError(f"{email} may not import the shielding list")
        return user

    def _create(self, path: Path, actor) -> ShieldingImport:
        if not path.is_file():
            raise CommandError(f"There is no file at {path}")
        try:
            with path.open("rb") as source:
                created = shielding_import_create(
                    actor=actor, source=source, original_name=path.name
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        try:
            return shielding_import_confirm(actor=actor, shielding_import=created, enqueue=False)
        except ValidationError as exc:
            missing = ", ".join(FIELD_LABELS.get(name, name) for name in exc.message_dict)
            raise CommandError(
                f"The header row has no column we recognise for: {missing}. Rename those "
                "columns (for example ‘NHS Number’, ‘Surname’, ‘Postcode’) and run this again, "
                f"or choose the columns on the import's page, /support/imports/{created.pk}/."
            ) from exc
