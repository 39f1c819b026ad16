"""Expire referrals nobody answered in time, reopening their needs.

Run it from cron or a scheduler (every 15 minutes is plenty). It is safe to run as often
as you like, and at the same time as people are answering referrals: each referral is
locked while it changes, and one already answered is left alone.
"""

from django.core.management.base import BaseCommand

from hub.support.services import referrals_expire


class Command(BaseCommand):
    help = "Expire referrals past their answer-by time and reopen their needs. Safe to repeat."

    def handle(self, *args, **options) -> None:
        expired = referrals_expire()
        self.stdout.write(f"{expired} referral{'' if expired == 1 else 's'} expired")
