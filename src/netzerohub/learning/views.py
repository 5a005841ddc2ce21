"""Learners' pages: the catalogue, courses, lessons and quizzes, pathways, My learning,
certificates and a city lead's view of the team's progress."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from netzerohub.cities.models import Membership
from netzerohub.cities.policies import get_city_for_user, is_coordinator
from netzerohub.core.fragments import rendered, viewer
from netzerohub.core.paging import paginate
from netzerohub.core.querysets import make_key
from netzerohub.core.ratelimit import rate_limited

from . import certificates, services
from .caching import FRAGMENT_SECONDS, content_version, person_versions
from .forms import EnrolForm, QuizForm
from .models import Certificate, Course, Enrolment, Lesson, Pathway, PathwayStep
from .policies import (
    can_view_team_progress,
    course_policy,
    get_cohort_for_user,
    get_course_for_user,
    get_own_certificate,
    get_pathway_for_user,
)
from .progress import (
    cohort_progress,
    last_attempt,
    my_learning,
    outline,
    pathway_progress,
    team_progress,
)
from .search import SORTS, CatalogueParams, catalogue_key, search_courses

RESULTS_SECONDS = 300


def catalogue(request: HttpRequest) -> HttpResponse:
    """Pathways, then the course search (the knowledge repository's mechanism, cached alike)."""
    params = CatalogueParams.from_query(request.GET)
    key = make_key("learning.results", get_language(), bool(request.htmx), *catalogue_key(params))
    results = cache.get(key)
    if results is None:
        # The request tells the fragment whether htmx asked (the status update goes with it).
        context = {
            "found": search_courses(params),
            "params": params,
            "sorts": SORTS,
            "request": request,
        }
        results = render_to_string("learning/_results.html", context)
        cache.set(key, results, RESULTS_SECONDS)
    if request.htmx:
        return HttpResponse(results)
    pathways = Pathway.objects.published().prefetch_related("steps")
    context = {"params": params, "results": results, "pathways": pathways}
    return render(request, "learning/catalogue.html", context)


def _enrolment(user, **lookup) -> Enrolment | None:
    return Enrolment.objects.for_user(user).filter(**lookup).select_related("last_lesson").first()


def _fragment(request: HttpRequest, template: str, parts: tuple, build: Callable[[], dict]) -> str:
    """`template` rendered with `build()`, cached under `parts` and the content version (the
    parts name the person's version when the fragment is theirs)."""
    return rendered(request, template, (content_version(), *parts), build, seconds=FRAGMENT_SECONDS)


def _personal(request: HttpRequest) -> tuple:
    """What names a signed-in person's rendering: the browser's viewer and their learning
    version."""
    user = request.user
    if not user.is_authenticated:
        return viewer(request)
    return (*viewer(request), person_versions([user.pk])[user.pk])


def course_detail(request: HttpRequest, key: str) -> HttpResponse:
    course = get_course_for_user(request.user, key)
    parts = (course.pk, timezone.localdate(), request.get_full_path(), *_personal(request))
    body = _fragment(
        request, "learning/_course_body.html", parts, lambda: _course_context(request, course)
    )
    return render(request, "learning/course_detail.html", {"course": course, "body": body})


def _course_context(request: HttpRequest, course: Course) -> dict:
    enrolment = _enrolment(request.user, course=course)
    plan = outline(course, request.user)
    prerequisites = list(course.prerequisites.order_by("title"))
    missing = services.missing_prerequisites(course, request.user) if prerequisites else []
    certificate = (
        Certificate.objects.for_user(request.user).filter(course=course).first()
        if enrolment and enrolment.completed
        else None
    )
    resume = None
    if enrolment is not None:
        resume = plan.next_lesson() or enrolment.last_lesson or next(iter(plan.lessons), None)
    context = {
        "course": course,
        "enrolment": enrolment,
        "outline": plan,
        "progress": plan.progress_of(enrolment),
        "resume": resume,
        "prerequisites": prerequisites,
        "missing": {c.pk for c in missing},
        "cohorts": course.cohorts.filter(ends_on__gte=timezone.localdate()).select_related(
            "facilitator"
        ),
        "certificate": certificate,
        "fields": course.fields.all(),
        "levers": course.levers.all(),
        "can_enrol": course_policy.can(request.user, "enrol", course),
        "can_author": course_policy.can(request.user, "author", course),
    }
    return context


@login_required
@require_POST
@rate_limited("learning.enrol", limit=60)
def enrol(request: HttpRequest, key: str) -> HttpResponse:
    course = get_course_for_user(request.user, key)
    form = EnrolForm(request.POST, course=course)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["cohort"]))
        return redirect(course)
    cohort = form.cleaned_data["cohort"]
    try:
        services.enrol_in_course(course, user=request.user, cohort=cohort)
    except services.LearningError as error:
        messages.error(request, str(error))
        return redirect(course)
    messages.success(
        request, _("You are enrolled. Start with the first lesson when you are ready.")
    )
    return redirect(course)


@login_required
@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = Enrolment.objects.for_user(request.user).filter(pk=pk).first()
    if enrolment is None:
        raise Http404
    target = enrolment.course or enrolment.pathway
    services.leave(enrolment, user=request.user)
    messages.success(
        request, _("You left “%(title)s”. What you completed is kept.") % {"title": target}
    )
    return redirect("learning:mine")


def _lesson(request: HttpRequest, key: str, pk: int) -> tuple[Course, Lesson]:
    course = get_course_for_user(request.user, key)
    lesson = (
        Lesson.objects.filter(pk=pk, course=course)
        .select_related("module")
        .prefetch_related("questions__choices")
        .first()
    )
    if lesson is None:
        raise Http404
    return course, lesson


def lesson_detail(request: HttpRequest, key: str, pk: int, quiz_form: QuizForm | None = None):
    course, lesson = _lesson(request, key, pk)
    if not course_policy.can(request.user, "learn", course):
        if course.status != Course.Status.PUBLISHED:
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        messages.info(request, _("Enrol in the course to open its lessons."))
        return redirect(course)
    enrolment = _enrolment(request.user, course=course)
    if enrolment is not None:
        services.record_visit(enrolment, lesson)
    plan = outline(course, request.user)
    questions = list(lesson.questions.all())
    attempt = last_attempt(request.user, lesson) if questions else None
    if questions and quiz_form is None:
        quiz_form = QuizForm(questions=questions)
    context = {
        "course": course,
        "lesson": lesson,
        "enrolment": enrolment,
        "preview": enrolment is None,
        "outline": plan,
        "progress": plan.progress_of(enrolment),
        "done": lesson.pk in plan.done,
        "previous": plan.previous_lesson(lesson),
        "next": plan.next_lesson(after=lesson),
        "materials": lesson.resources.readable_by(request.user),
        "questions": questions,
        "quiz_form": quiz_form,
        "attempt": attempt,
        "feedback": _feedback(questions, attempt) if attempt else [],
    }
    return render(request, "learning/lesson.html", context)


def _feedback(questions, attempt) -> list[dict]:
    """Per question: the learner's answers, the right ones and the explanation."""
    rows = []
    for question in questions:
        chosen = set(attempt.answers.get(str(question.pk), []))
        right = {c.pk for c in question.choices.all() if c.is_correct}
        rows.append(
            {
                "question": question,
                "correct": chosen == right,
                "choices": [(c, c.pk in chosen) for c in question.choices.all()],
            }
        )
    return rows


@login_required
@require_POST
def lesson_done(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    course, lesson = _lesson(request, key, pk)
    if not course_policy.can(request.user, "learn", course):
        raise Http404
    try:
        services.complete_lesson(lesson, user=request.user)
    except services.LearningError as error:
        messages.error(request, str(error))
        return redirect(lesson)
    return _after_progress(request, course, lesson)


def _after_progress(request: HttpRequest, course: Course, lesson: Lesson) -> HttpResponse:
    enrolment = _enrolment(request.user, course=course)
    if enrolment is not None and enrolment.completed:
        messages.success(
            request, _("You completed the course. Your certificate is ready to download.")
        )
        return redirect(course)
    following = outline(course, request.user).next_lesson(after=lesson)
    return redirect(following or course)


@login_required
@require_POST
@rate_limited("learning.quiz", limit=120)
def quiz(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    course, lesson = _lesson(request, key, pk)
    if not course_policy.can(request.user, "learn", course):
        raise Http404
    questions = list(lesson.questions.all())
    if not questions:
        raise Http404
    form = QuizForm(request.POST, questions=questions)
    if not form.is_valid():
        messages.error(request, _("Answer every question, then send your answers."))
        return lesson_detail(request, key, pk, quiz_form=form)
    try:
        attempt = services.submit_quiz(
            lesson, user=request.user, token=form.cleaned_data["token"], answers=form.answers()
        )
    except services.LearningError as error:
        messages.error(request, str(error))
        return redirect(lesson)
    if attempt.passed:
        messages.success(
            request,
            _("You scored %(score)s %% and passed. The lesson is done.") % {"score": attempt.score},
        )
    else:
        messages.error(
            request,
            _(
                "You scored %(score)s %%; %(mark)s %% is needed. "
                "Read the explanations and try again."
            )
            % {"score": attempt.score, "mark": course.pass_mark},
        )
    return redirect(lesson.get_absolute_url() + "#quiz-result")


def pathway_detail(request: HttpRequest, key: str) -> HttpResponse:
    pathway = get_pathway_for_user(request.user, key)
    steps = list(pathway.steps.all())
    progress, done = pathway_progress(request.user, steps)
    enrolment = _enrolment(request.user, pathway=pathway)
    context = {
        "pathway": pathway,
        "steps": steps,
        "done": done,
        "progress": progress,
        "enrolment": enrolment,
        "next_step": next((s for s in steps if s.pk not in done), None),
        "can_author": is_coordinator(request.user),
    }
    return render(request, "learning/pathway_detail.html", context)


@login_required
@require_POST
def pathway_enrol(request: HttpRequest, key: str) -> HttpResponse:
    pathway = get_pathway_for_user(request.user, key)
    try:
        services.enrol_in_pathway(pathway, user=request.user)
    except services.LearningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You follow this pathway. Take its steps in order."))
    return redirect(pathway)


@login_required
@require_POST
def step_read(request: HttpRequest, key: str, step_pk: int) -> HttpResponse:
    pathway = get_pathway_for_user(request.user, key)
    step = PathwayStep.objects.filter(pk=step_pk, pathway=pathway).first()
    if step is None:
        raise Http404
    try:
        services.mark_step_read(step, user=request.user)
    except services.LearningError as error:
        messages.error(request, str(error))
    return redirect(pathway.get_absolute_url() + f"#step-{step.pk}")


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    body = _fragment(
        request,
        "learning/_mine_body.html",
        _personal(request),
        lambda: {"learning": my_learning(request.user)},
    )
    return render(request, "learning/mine.html", {"body": body})


@login_required
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    certificate = get_own_certificate(request.user, code)
    verify_url = request.build_absolute_uri(certificate.get_absolute_url())
    response = HttpResponse(
        certificates.render_pdf(certificate, verify_url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: whether a certificate is genuine, with its holder's name, course and date only."""
    certificate = Certificate.objects.filter(code=code).first()
    if certificate is None:
        raise Http404
    is_holder = request.user.is_authenticated and certificate.user_id == request.user.pk
    return render(
        request,
        "learning/certificate_verify.html",
        {"certificate": certificate, "is_holder": is_holder},
    )


@login_required
def team(request: HttpRequest, city_pk: int) -> HttpResponse:
    """A city lead's (or a coordinator's) view of the learning progress of the city's members."""
    city = get_city_for_user(request.user, city_pk, "view")
    if not can_view_team_progress(request.user, city):
        raise Http404
    order = ("user__name", "user__email", "pk")
    memberships = Membership.objects.approved().for_city(city).order_by(*order)
    # The page is named by plain values (who, role, their learning version); model rows are
    # loaded only when it has to be rendered.
    names = memberships.values_list("pk", "user_id", "role", "user__name", "user__email")
    page = paginate(names, request.GET.get("page"))
    listed = list(page.object_list)
    versions = person_versions(user_id for _pk, user_id, *_rest in listed)
    parts = (
        city.pk,
        page.number,
        page.paginator.count,
        [(*row, versions[row[1]]) for row in listed],
    )

    def build() -> dict:
        members = memberships.filter(pk__in=[row[0] for row in listed]).select_related("user")
        return {"city": city, "page": page, "rows": team_progress(city, list(members))}

    body = _fragment(request, "learning/_team_body.html", parts, build)
    return render(request, "learning/team.html", {"city": city, "body": body})


@login_required
def cohort(request: HttpRequest, pk: int) -> HttpResponse:
    """A cohort's learners and their progress, for its facilitator and coordinators."""
    group = get_cohort_for_user(request.user, pk)
    enrolments = list(group.enrolments.select_related("user").order_by("user__name", "user__email"))
    rows = cohort_progress(group, enrolments)
    return render(request, "learning/cohort.html", {"cohort": group, "rows": rows})
