"""The needs list, and how each need maps to the strategy's impact areas."""

from django.db import models


class NeedCategory(models.TextChoices):
    EMERGENCY_FOOD = "emergency_food", "Emergency food"
    SUPERMARKET_DELIVERY = "supermarket_delivery", "Supermarket delivery"
    PREPARED_MEALS = "prepared_meals", "Prepared meals"
    PRESCRIPTIONS = "prescriptions", "Prescriptions and medicine"
    OTHER_ESSENTIALS = "other_essentials", "Other essentials"
    MONEY_AND_DEBT = "money_debt", "Money and debt"
    BENEFITS = "benefits", "Benefits"
    HOUSING = "housing", "Housing"
    FUEL_AND_UTILITIES = "fuel_utilities", "Fuel and utilities"
    MENTAL_HEALTH = "mental_health", "Mental health"
    LONELINESS = "loneliness", "Loneliness and befriending"
    DIGITAL_ACCESS = "digital_access", "Digital access (device, data, skills)"
    JOBS_AND_TRAINING = "jobs_training", "Jobs and training"
    CHILDREN_AND_SCHOOLS = "children_schools", "Children and schools"
    DISABILITY_AND_CARE = "disability_care", "Disability and care"
    BEREAVEMENT = "bereavement", "Bereavement"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    OTHER = "other", "Other"


# One bit per need, for ``SupportRequest.open_need_bits`` (the needs still to meet on a
# request, which the triage queue filters on within its indexes). New needs must be added
# at the end of the list above, so that no need's bit changes.
NEED_BITS = {category: 1 << index for index, category in enumerate(NeedCategory.values)}

# Safeguarding needs skip the ordinary queue: they are always same-day and flagged.
SAFEGUARDING = {NeedCategory.DOMESTIC_ABUSE}

# Impact areas by the name the strategy packs give them (matched by slug of the active
# strategy, so a borough with other impact areas simply gets no mapping for these).
IMPACT_AREA_SLUG = {
    NeedCategory.EMERGENCY_FOOD: "material-insecurity",
    NeedCategory.SUPERMARKET_DELIVERY: "material-insecurity",
    NeedCategory.PREPARED_MEALS: "material-insecurity",
    NeedCategory.PRESCRIPTIONS: "population-mental-health-and-wellbeing",
    NeedCategory.OTHER_ESSENTIALS: "material-insecurity",
    NeedCategory.MONEY_AND_DEBT: "material-insecurity",
    NeedCategory.BENEFITS: "material-insecurity",
    NeedCategory.HOUSING: "material-insecurity",
    NeedCategory.FUEL_AND_UTILITIES: "material-insecurity",
    NeedCategory.MENTAL_HEALTH: "population-mental-health-and-wellbeing",
    NeedCategory.LONELINESS: "social-connectedness",
    NeedCategory.DIGITAL_ACCESS: "social-connectedness",
    NeedCategory.JOBS_AND_TRAINING: "material-insecurity",
    NeedCategory.CHILDREN_AND_SCHOOLS: "social-connectedness",
    NeedCategory.DISABILITY_AND_CARE: "population-mental-health-and-wellbeing",
    NeedCategory.BEREAVEMENT: "population-mental-health-and-wellbeing",
    NeedCategory.DOMESTIC_ABUSE: "population-mental-health-and-wellbeing",
}
