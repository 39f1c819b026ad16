from django.core.management.base import BaseCommand, CommandError

from hub.places.services import PlacesImportError, postcodes_import


class Command(BaseCommand):
    help = (
        "Create or update postcodes from a CSV in the shape of the ONS Postcode Directory "
        "(columns pcds or postcode, lat, long, and osward or ward_code). Rows that cannot "
        "be used are listed with their row numbers; the rest are imported. Re-running it "
        "is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the .csv file")

    def handle(self, *args, **options):
        try:
            result = postcodes_import(path=options["file"])
        except PlacesImportError as exc:
            raise CommandError(f"Nothing was imported. {exc}") from exc
        for rejected in result.rejected:
            self.stderr.write(f"Rejected {rejected}")
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(f"Postcodes: {result.summary()}"))
