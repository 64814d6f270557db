"""The words a product page uses: an EU risk management plan's, or a US label's.

The data model is the EU plan's (safety concerns in three categories, routine and additional
measures, studies). A US product's record is its label: the warnings and precautions of the
prescribing information (USPI section 5), advice for specific populations (section 8), a REMS
for additional measures and postmarketing requirements and commitments for studies. The
cross-product pages keep the EU words, since a US warning groups with the EU concern of the
same name.
"""

from dataclasses import dataclass

from risks.models import ConcernCategory


@dataclass(frozen=True)
class Wording:
    plan: str  # what a plan version is called
    concerns: str  # the heading of the overview table
    categories: dict  # ConcernCategory -> heading of its rows
    category_labels: dict  # ConcernCategory -> label of one concern
    routine: str
    cited: str
    additional: str
    studies: str
    information: str

    def category_heading(self, category):
        return self.categories[ConcernCategory(category)]

    def category_label(self, category):
        return self.category_labels[ConcernCategory(category)]


EU = Wording(
    plan="Risk management plan",
    concerns="Safety concerns (RMP part II.A)",
    categories={category: category.plural for category in ConcernCategory},
    category_labels={category: category.label for category in ConcernCategory},
    routine="Routine risk minimisation measures",
    cited="SmPC / PL sections cited",
    additional="Additional risk minimisation measures",
    studies="Additional pharmacovigilance activities (studies)",
    information="Product information",
)

US = Wording(
    plan="Label record",
    concerns="Warnings and precautions (USPI section 5)",
    categories={
        ConcernCategory.IDENTIFIED: "Warnings and precautions",
        ConcernCategory.POTENTIAL: "Potential risks",
        ConcernCategory.MISSING: "Use in specific populations",
    },
    category_labels={
        ConcernCategory.IDENTIFIED: "Warning and precaution",
        ConcernCategory.POTENTIAL: "Potential risk",
        ConcernCategory.MISSING: "Use in specific populations",
    },
    routine="Labeling (prescribing information)",
    cited="USPI sections cited",
    additional="REMS elements",
    studies="Postmarketing requirements and commitments",
    information="Prescribing information",
)


def wording_for(product):
    return US if product.is_us else EU
