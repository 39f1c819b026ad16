"""Write the council's grants as 360Giving open data to a file.

    manage.py export_360giving --output grants.json
    manage.py export_360giving --output grants.csv --format csv
    manage.py export_360giving --output -            # to standard output

The same data as the public addresses /grants/360giving.json and .csv, written as a stream
(memory stays flat however many grants there are). The file is written beside its final name
and renamed into place when complete, so a reader never sees half a file.
"""

import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hub.grants.threesixty import write_export


class Command(BaseCommand):
    help = "Write every grant to an organisation as 360Giving JSON or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="File to write, or - for stdout")
        parser.add_argument(
            "--format",
            choices=["json", "csv"],
            default=None,
            help="json (the default) or csv; taken from the file's extension if not given",
        )

    def handle(self, *args, **options) -> None:
        output = options["output"]
        fmt = options["format"] or ("csv" if output.lower().endswith(".csv") else "json")
        if output == "-":
            write_export(sys.stdout, fmt=fmt)
            return
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"There is no folder {target.parent} to write {target.name} in")
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                written = write_export(out, fmt=fmt)
            # mkstemp makes the file private; open data gets the usual permissions.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stderr.write(f"Wrote {written:,} characters of 360Giving {fmt.upper()} to {target}")
