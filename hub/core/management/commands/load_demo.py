from django.conf import settings
from django.core.management.base import BaseCommand

from hub.core.demo import demo_sign_ins, load_demo


class Command(BaseCommand):
    help = "Load the made-up demo borough (safe to run again: it adds only what is missing)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="more partners and postcodes")
        parser.add_argument("--quiet-sign-ins", action="store_true")

    def handle(self, *args, scale: int, quiet_sign_ins: bool, **options):
        result = load_demo(scale=max(1, scale))
        added = ", ".join(f"{n} {what}" for what, n in result.created.items()) or "nothing new"
        self.stdout.write(self.style.SUCCESS(f"Demo borough loaded: {added}."))
        if quiet_sign_ins:
            return
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for all: {settings.HUB_DEMO_PASSWORD})")
        for email, name, roles in demo_sign_ins():
            self.stdout.write(f"  {email:<22} {name:<16} {roles}")
