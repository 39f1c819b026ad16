from django.core.management.base import BaseCommand, CommandError

from hub.strategy.services import PackError, available_packs, strategy_load_pack


class Command(BaseCommand):
    help = "Load a strategy pack shipped with the hub (for example chesterfield-2020)."

    def add_arguments(self, parser):
        parser.add_argument("pack", help=f"one of: {', '.join(available_packs())}")
        parser.add_argument(
            "--no-activate",
            action="store_true",
            help="load it without making it the strategy the hub works to",
        )

    def handle(self, *args, pack: str, no_activate: bool, **options):
        try:
            result = strategy_load_pack(name=pack, activate=not no_activate)
        except PackError as exc:
            raise CommandError(str(exc)) from exc
        state = "active" if result.strategy.is_active else "not active"
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.strategy.name} ({state}): {result.created} added, "
                f"{result.updated} updated, {result.unchanged} unchanged"
            )
        )
