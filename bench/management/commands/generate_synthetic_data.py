from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from bench.synthetic import BATCH_SIZE, SyntheticDataError, generate


def positive(text):
    number = int(text)
    if number < 1:
        raise ValueError(text)
    return number


class Command(BaseCommand):
    help = (
        "Fill the database with realistic synthetic products for benchmarking: invented "
        "medicines (slugs synthetic-00001, ...) with risk management plans, product "
        "information, studies and milestones, the same for the same --seed. Refuses a "
        "database that holds real products unless --allow-real-data. If synthetic products "
        "exist already, adds --products more, numbered on from the highest, so that runs add "
        "up: ten runs of --products 1500 write the same products as one of --products 15000. "
        "All or nothing: one transaction for the whole run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--products", type=positive, required=True, help="How many products to add."
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Seed of the generator (default 1)."
        )
        parser.add_argument(
            "--allow-real-data",
            action="store_true",
            help="Add synthetic products even though the database holds real ones.",
        )
        parser.add_argument(
            "--batch-size",
            type=positive,
            default=BATCH_SIZE,
            help=f"Products built and written at a time (default {BATCH_SIZE}).",
        )

    def handle(self, *args, products, seed, allow_real_data, batch_size, verbosity, **options):
        def progress(done, count):
            if verbosity > 1:
                self.stderr.write(f"{done}/{count} products written")

        try:
            # With DEBUG on, Django would log the SQL of every bulk insert (on SQLite at the
            # cost of one more query each, to quote the values): slower by half, for nothing.
            with override_settings(DEBUG=False):
                summary = generate(
                    products,
                    seed=seed,
                    allow_real_data=allow_real_data,
                    batch_size=batch_size,
                    progress=progress,
                )
        except SyntheticDataError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(summary))
