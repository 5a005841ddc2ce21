import pytest
from django.test import Client
from netzerohub.learning.tests.factories import PathwayFactory, StepFactory, course_with_lessons

@pytest.mark.django_db
def test_x(coordinator):
    c = Client(raise_request_exception=True)
    c.force_login(coordinator)
    p = PathwayFactory()
    StepFactory(pathway=p, course=course_with_lessons(lessons=1))
    r = c.get(f"/learning/manage/pathways/{p.key}/")
    print(r.status_code)
