"""Demo people and memberships. Sample content only: no facts about real cities are invented."""

import datetime
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from netzerohub.assessment import authoring as assessment_authoring
from netzerohub.assessment import peers as assessment_peers
from netzerohub.assessment import services as assessment
from netzerohub.assessment.models import Assessment
from netzerohub.cities.models import City, Membership
from netzerohub.contracts import demo as contracts_demo
from netzerohub.events import demo as events_demo
from netzerohub.exchanges import demo as exchanges_demo
from netzerohub.helpdesk import demo as helpdesk_demo
from netzerohub.knowledge import services as knowledge
from netzerohub.knowledge.importing import import_file
from netzerohub.knowledge.models import Collection, Resource
from netzerohub.learning import authoring as learning_authoring
from netzerohub.learning import services as learning
from netzerohub.learning.importing import import_file as import_courses
from netzerohub.learning.models import Cohort, Course, Pathway
from netzerohub.surveys import demo as surveys_demo

DEMO_PASSWORD = "demo-password-2050"  # noqa: S105 - documented demo login, demo only
# A non-Mission city for the demo lead and member (Ghent is not a Mission City).
DEMO_CITY = ("Gent", "BE")
DEMO_RESOURCES = Path(knowledge.__file__).parent / "data" / "demo" / "resources.json"
# A coordinator's collection of sample resources (by key), to show curated collections.
DEMO_COLLECTION = {
    "slug": "sample-first-steps",
    "title": "First steps towards a Climate City Contract (sample)",
    "description": "A sample collection: resources to read first when a city starts its "
    "Climate City Contract, in the order the programme team suggests.",
}
DEMO_COLLECTION_KEYS = [
    "sample-fact-sheet-climate-city-contract",
    "sample-set-up-a-transition-team",
    "sample-baseline-emission-inventory",
    "sample-stakeholder-mapping",
    "sample-writing-ccc-commitments",
    "sample-action-plan-part-a",
]
DEMO_SUBMISSION = {
    "title": "Sample: notes from our first transition team meeting",
    "summary": "A sample contribution waiting for review, so the review queue has something in "
    "it. It describes no real meeting.",
    "body": "## What we agreed\n\n- Meet every two weeks.\n- Share the agenda a week before.\n"
    "\n*Sample content written for the NetZero Hub demo.*",
    "type": "report",
    "languages": ["en"],
}
MENTOR_CITY = ("Lund", "SE")
DEMO_COURSES = Path(learning.__file__).parent / "data" / "demo" / "courses.json"
# The demo member follows this pathway and has passed the quiz of its first lesson.
DEMO_PATHWAY = "sample-pathway-build-your-transition-team"
# The sample self-assessment of the demo city: a level per dimension (its second question one
# lower), per field of action for the readiness questions; the two optional fields are skipped.
DEMO_LEVELS = {
    "mandate": 3, "governance": 2, "system": 2, "portfolio": 1, "finance": 1,
    "engagement": 2, "monitoring": 1, "capabilities": 2,
}  # fmt: skip
DEMO_FIELD_LEVELS = {
    "energy-systems": 2, "built-environment": 2, "mobility-transport": 1,
    "waste-circular-economy": 3, "green-infrastructure-nbs": 1,
}  # fmt: skip

PEOPLE = [
    # email, name, job title, flags
    (
        "coordinator@example.org",
        "Demo Coordinator (sample)",
        "Programme coordinator",
        {"is_staff": True, "is_superuser": True},
    ),
    (
        "expert@example.org",
        "Demo Expert (sample)",
        "Helpdesk expert, energy systems",
        {"is_helpdesk_expert": True},
    ),
    ("mentor@example.org", "Demo Mentor (sample)", "Sample officer of a Mission City", {}),
    ("lead@example.org", "Demo Lead (sample)", "Sample climate coordinator", {}),
    ("member@example.org", "Demo Member (sample)", "Sample energy officer", {}),
    ("applicant@example.org", "Demo Applicant (sample)", "Sample mobility planner", {}),
]


class Command(BaseCommand):
    help = "Create the demo logins (password demo-password-2050) and their sample memberships."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        users = {}
        for email, name, job_title, flags in PEOPLE:
            user, created = User.objects.get_or_create(
                email=email, defaults={"name": name, "job_title": job_title, **flags}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            users[email] = user

        demo_city = self._city(*DEMO_CITY)
        mentor_city = self._city(*MENTOR_CITY)
        self._member(users["mentor@example.org"], mentor_city, Membership.Role.MEMBER, mentor=True)
        self._member(users["lead@example.org"], demo_city, Membership.Role.LEAD)
        self._member(users["member@example.org"], demo_city, Membership.Role.MEMBER)
        Membership.objects.get_or_create(
            user=users["applicant@example.org"],
            city=demo_city,
            status=Membership.Status.PENDING,
            defaults={"message": "Sample request: I would like to join our city's team."},
        )
        if demo_city.status == City.Status.DIRECTORY:
            City.objects.filter(pk=demo_city.pk).update(status=City.Status.PARTICIPATING)

        self._knowledge(users, demo_city)
        self._learning(users)
        self._assessment(users, demo_city)
        self._groups_and_events(users)
        self._exchanges(users)
        self._helpdesk(users)
        self._surveys(users)
        self._contract(users)

        self.stdout.write(f"\nDemo logins (password: {DEMO_PASSWORD})")
        for email, name, _job, _flags in PEOPLE:
            self.stdout.write(f"  {email:<26} {name}")
        self.stdout.write(
            f"  lead and member belong to {demo_city.name} ({demo_city.country.code}); "
            f"the mentor to the Mission City {mentor_city.name}.\n"
        )

    def _city(self, name: str, country: str) -> City:
        city = City.objects.filter(name=name, country__code=country).order_by("-population").first()
        if city is None:
            raise CommandError(
                f"{name} ({country}) is not in the directory: run load_reference_data first."
            )
        return city

    def _member(self, user, city: City, role: str, mentor: bool = False) -> None:
        Membership.objects.update_or_create(
            user=user,
            city=city,
            status=Membership.Status.APPROVED,
            defaults={"role": role, "is_mentor": mentor},
        )

    def _knowledge(self, users, demo_city: City) -> None:
        """Sample resources (with five PDFs), a collection and one submission to review."""
        report = import_file(DEMO_RESOURCES)
        if report.errors:
            problems = "; ".join(f"row {r.number}: {', '.join(r.errors)}" for r in report.errors)
            raise CommandError(f"The demo resources do not import: {problems}")
        self.stdout.write(
            f"Sample resources: {report.created} created, {report.updated} already there."
        )
        coordinator = users["coordinator@example.org"]
        collection = Collection.objects.filter(slug=DEMO_COLLECTION["slug"]).first()
        if collection is None:
            collection = knowledge.save_collection(
                None, actor=coordinator, values={**DEMO_COLLECTION, "is_published": True}
            )
            by_key = Resource.objects.published().in_bulk(DEMO_COLLECTION_KEYS, field_name="key")
            for key in DEMO_COLLECTION_KEYS:
                if key in by_key:
                    knowledge.add_to_collection(collection, by_key[key], actor=coordinator)
        member = users["member@example.org"]
        if not Resource.objects.contributed_by(member).exists():
            resource = knowledge.create_resource(
                actor=member, values={**DEMO_SUBMISSION, "city": demo_city}, is_sample=True
            )
            knowledge.submit_resource(resource, actor=member)

    def _learning(self, users) -> None:
        """Sample courses and pathways, a sample cohort, and some progress of the demo member."""
        report = import_courses(DEMO_COURSES, is_sample=True)
        if report.errors:
            raise CommandError(f"The demo courses do not import: {'; '.join(report.errors)}")
        self.stdout.write(
            f"Sample courses: {report.courses} ({report.lessons} lessons), "
            f"{report.pathways} pathways."
        )
        pathway = Pathway.objects.with_steps().get(key=DEMO_PATHWAY)
        first = next(step.course for step in pathway.steps.all() if step.course_id)
        if not Cohort.objects.filter(course=first).exists():
            today = timezone.localdate()
            learning_authoring.save_cohort(
                None,
                actor=users["coordinator@example.org"],
                course=first,
                values={
                    "title": "Sample cohort (demo)",
                    "starts_on": today,
                    "ends_on": today + datetime.timedelta(days=56),
                    "description": "A sample cohort: its live sessions will be listed here.",
                    "facilitator": users["mentor@example.org"],
                },
            )
        member = users["member@example.org"]
        learning.enrol_in_pathway(pathway, user=member)
        learning.enrol_in_course(first, user=member)
        lesson = first.lessons.order_by("module__position", "position").first()
        if lesson.questions.exists():
            answers = {
                q.pk: [c.pk for c in q.choices.all() if c.is_correct]
                for q in lesson.questions.prefetch_related("choices")
            }
            token = "demo-first-quiz"  # noqa: S105 - a quiz form token, not a secret
            learning.submit_quiz(lesson, user=member, token=token, answers=answers)
        else:
            learning.complete_lesson(lesson, user=member)
        lead_course = Course.objects.published().exclude(pk=first.pk).order_by("title").first()
        if lead_course is not None and not lead_course.prerequisites.exists():
            learning.enrol_in_course(lead_course, user=users["lead@example.org"])

    def _assessment(self, users, demo_city: City) -> None:
        """The default questionnaire, and a sample self-assessment of the demo city answered by
        the demo member and lead, submitted by the lead (marked as sample: it says nothing
        about the city)."""
        questionnaire, created = assessment_authoring.load_default()
        if created:
            self.stdout.write(f"Questionnaire {questionnaire.version} published.")
        if Assessment.objects.for_city(demo_city).exists():
            return
        member, lead = users["member@example.org"], users["lead@example.org"]
        sample = assessment.start_assessment(demo_city, actor=member)
        questions = sample.questionnaire.questions.select_related("dimension", "field")
        for question in questions.order_by("dimension__position", "position"):
            if question.field_id:
                level = DEMO_FIELD_LEVELS.get(question.field.slug)
            else:
                level = DEMO_LEVELS[question.dimension.key] - (question.position == 2)
            who = lead if question.dimension.key in {"mandate", "finance"} else member
            assessment.save_answer(sample, question, level, actor=who)
        assessment.submit_assessment(sample, actor=lead)
        Assessment.objects.filter(pk=sample.pk).update(is_sample=True)
        assessment_peers.refresh(questionnaire.key)
        self.stdout.write(f"Sample self-assessment of {demo_city.name} submitted.")

    def _groups_and_events(self, users) -> None:
        """Sample peer groups with their meeting series, and sample national events."""
        coordinator = users["coordinator@example.org"]
        try:
            groups = events_demo.load_groups(users, actor=coordinator)
            events = events_demo.load_events(users, actor=coordinator)
        except events_demo.DemoError as error:
            raise CommandError(f"The demo groups and events do not load: {error}") from error
        for line in events_demo.summary(groups, events):
            self.stdout.write(line)

    def _exchanges(self, users) -> None:
        """Sample exchange calls, a host offer and study visit, the demo city's applications
        and a published pair."""
        try:
            report = exchanges_demo.load_exchanges(users, actor=users["coordinator@example.org"])
        except exchanges_demo.DemoError as error:
            raise CommandError(f"The demo exchanges do not load: {error}") from error
        for line in exchanges_demo.summary(report):
            self.stdout.write(line)

    def _helpdesk(self, users) -> None:
        """The helpdesk's settings, queues and rules, an FAQ about the portal, canned replies
        and sample tickets of the demo city."""
        try:
            report = helpdesk_demo.load_helpdesk(users, actor=users["coordinator@example.org"])
        except helpdesk_demo.DemoError as error:
            raise CommandError(f"The demo helpdesk does not load: {error}") from error
        for line in helpdesk_demo.summary(report):
            self.stdout.write(line)

    def _surveys(self, users) -> None:
        """The sample needs-assessment survey, open, with 300 generated sample responses (none
        from the demo city: its lead and member answer it themselves)."""
        try:
            report = surveys_demo.load_survey(users, actor=users["coordinator@example.org"])
        except surveys_demo.DemoError as error:
            raise CommandError(f"The demo survey does not load: {error}") from error
        for line in surveys_demo.summary(report):
            self.stdout.write(line)

    def _contract(self, users) -> None:
        """The demo city's sample Climate City Contract workspace (invented figures, marked as
        sample): commitments, three inventory years, 13 actions with indicators and investment
        plan, a returned version and one waiting for review, published."""
        try:
            report = contracts_demo.load_contract(users)
        except contracts_demo.DemoError as error:
            raise CommandError(f"The demo contract does not load: {error}") from error
        for line in contracts_demo.summary(report):
            self.stdout.write(line)
