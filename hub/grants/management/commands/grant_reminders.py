"""Remind awarded organisations of monitoring reports coming due.

Run it daily from cron or a scheduler. Each report is reminded once only (its
``reminder_sent_at`` is recorded), so running it more often, or twice at once, sends nothing
twice. ``--today`` lets an operator re-run a missed day.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from hub.grants.services.monitoring import monitoring_send_reminders, reminder_days


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today must be a date like 2026-04-30, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "E-mail awarded organisations about monitoring reports due within "
        "HUB_GRANT_REMINDER_DAYS days. Each report is reminded once only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=_day, default=None, help="As if today were YYYY-MM-DD")
        parser.add_argument(
            "--days", type=int, default=None, help="Days ahead to remind (default: the setting)"
        )

    def handle(self, *args, **options) -> None:
        days = options["days"]
        if days is not None and not 0 <= days <= 366:
            raise CommandError("--days must be between 0 and 366")
        result = monitoring_send_reminders(today=options["today"], days=days)
        ahead = reminder_days() if days is None else days
        self.stdout.write(
            f"{result.sent} reminder{'' if result.sent == 1 else 's'} sent for reports due "
            f"within {ahead} days"
        )
        if result.no_email:
            self.stdout.write(
                f"{result.no_email} report{'' if result.no_email == 1 else 's'} not reminded: "
                "the organisation has no e-mail address"
            )
