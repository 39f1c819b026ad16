from django.core.management.base import BaseCommand, CommandError

from hub.places.models import Area
from hub.places.services import PlacesImportError, boundaries_import


class Command(BaseCommand):
    help = (
        "Create or update areas from a GeoJSON FeatureCollection of (Multi)Polygons in "
        "longitude/latitude, such as the ONS boundary files. Re-running it is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the .geojson file")
        parser.add_argument("--level", required=True, choices=Area.Level.values)
        parser.add_argument(
            "--code-field", required=True, help="property holding the ONS code, e.g. WD13CD"
        )
        parser.add_argument(
            "--name-field", required=True, help="property holding the name, e.g. WD13NM"
        )
        parser.add_argument(
            "--parent",
            metavar="CODE",
            help="the ONS code of every area's parent; without it, each area's parent is "
            "the area of the level above that overlaps it most",
        )

    def handle(self, *args, **options):
        try:
            result = boundaries_import(
                path=options["file"],
                level=options["level"],
                code_field=options["code_field"],
                name_field=options["name_field"],
                parent_code=options["parent"],
            )
        except PlacesImportError as exc:
            raise CommandError(f"Nothing was imported. {exc}") from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(f"{options['level'].title()}s: {result.summary()}"))
