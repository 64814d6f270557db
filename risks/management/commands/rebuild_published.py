from django.core.management.base import BaseCommand

from risks.published import rebuild_all


class Command(BaseCommand):
    help = (
        "Rebuild the read model of the public lists (published products, concerns and "
        "studies) from the published data, in one transaction. Run it after a migration that "
        "changes it, a bulk load or a restore; publishing keeps it in step otherwise."
    )

    def handle(self, *args, **options):
        count = rebuild_all()
        self.stdout.write(f"Rebuilt the read model of {count} public products.")
