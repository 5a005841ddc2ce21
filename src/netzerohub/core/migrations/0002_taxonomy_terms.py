"""The programme's taxonomy as data: fields of action, levers of change, Transition Map steps."""

from django.db import migrations

TERMS = {
    "field": [
        ("energy-systems", "Energy systems"),
        ("built-environment", "Built environment"),
        ("mobility-transport", "Mobility & transport"),
        ("waste-circular-economy", "Waste & circular economy"),
        ("green-infrastructure-nbs", "Green infrastructure & nature-based solutions"),
        ("industrial-processes", "Industrial processes"),
        ("agriculture-forestry-land-use", "Agriculture, forestry & land use"),
    ],
    "lever": [
        ("technology-infrastructure", "Technology & infrastructure"),
        ("governance-policy", "Governance & policy"),
        ("social-innovation", "Social innovation"),
        ("democracy-participation", "Democracy & participation"),
        ("finance-funding", "Finance & funding"),
        ("learning-capabilities", "Learning & capabilities"),
    ],
    "step": [
        ("build-a-strong-mandate", "Build a strong mandate"),
        ("understand-the-system", "Understand the system"),
        ("co-design-a-portfolio", "Co-design a portfolio"),
        ("act", "Act"),
        ("learn-and-reflect", "Learn & reflect"),
        ("make-it-the-new-normal", "Make it the new normal"),
    ],
}


def load_terms(apps, schema_editor):
    Term = apps.get_model("core", "Term")
    for kind, terms in TERMS.items():
        for position, (slug, name) in enumerate(terms, start=1):
            Term.objects.update_or_create(kind=kind, slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load_terms, migrations.RunPython.noop)]
