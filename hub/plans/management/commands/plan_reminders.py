"""E-mail action owners whose progress update falls due soon, and list what is overdue.

    manage.py plan_reminders [--days N]

Run it daily (cron, or the task worker). Each owner gets one e-mail listing their actions
whose next update is due within N days (``HUB_PLAN_REMINDER_DAYS``, 7 unless set) or has
passed; an action is mentioned once per due date, however often the command runs.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hub.plans.models import Action
from hub.plans.services.actions import reminder_days, reminders_send


class Command(BaseCommand):
    help = "E-mail owners about progress updates falling due; list overdue actions."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="remind this many days ahead")

    def handle(self, *args, **options):
        days = options["days"] if options["days"] is not None else reminder_days()
        if days < 0:
            raise CommandError("--days must be 0 or more")
        today = timezone.localdate()
        result = reminders_send(today=today, days=days)
        self.stdout.write(
            f"Reminders: {result.emails} e-mail(s) about {len(result.actions)} action(s)"
        )
        if result.failed:
            self.stderr.write(f"{result.failed} e-mail(s) could not be sent: see the log")
        overdue = (
            Action.objects.exclude(status=Action.Status.COMPLETE)
            .filter(ends_on__lt=today)
            .select_related("aim__plan")
            .order_by("ends_on", "id")
        )
        stale = (
            Action.objects.exclude(status=Action.Status.COMPLETE)
            .filter(next_update_due__lt=today)
            .select_related("aim__plan")
            .order_by("next_update_due", "id")
        )
        self.stdout.write(f"Overdue actions: {len(overdue)}")
        for action in overdue:
            self.stdout.write(
                f"  {action.pk} ({action.aim.plan.slug}) ended {action.ends_on:%d/%m/%Y}: "
                f"{' '.join(action.description.split())[:80]}"
            )
        self.stdout.write(f"Late progress updates: {len(stale)}")
        for action in stale:
            self.stdout.write(
                f"  {action.pk} ({action.aim.plan.slug}) due {action.next_update_due:%d/%m/%Y}: "
                f"{' '.join(action.description.split())[:80]}"
            )
        if result.failed:
            raise CommandError("Some reminders were not sent")
