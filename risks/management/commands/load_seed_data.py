from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from risks.seed import SeedError, load_seed, read_seed, seed_files


class Command(BaseCommand):
    help = (
        "Load the five curated seed products (Ivozall, Clolar, Besponsa, Uplizna, Lemtrada). "
        "Products already in the database are left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete and reload seed products that are already in the database.",
        )

    def handle(self, *args, replace=False, **options):
        for path in seed_files():
            try:
                result = load_seed(read_seed(path), replace=replace)
            except SeedError as error:
                raise CommandError(str(error)) from None
            except ValidationError as error:
                raise CommandError(f"{path.name}: {'; '.join(error.messages)}") from None
            except (KeyError, TypeError, AttributeError) as error:
                raise CommandError(f"{path.name}: malformed seed file ({error!r}).") from None
            self.stdout.write(str(result))
