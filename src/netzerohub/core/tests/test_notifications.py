"""Notifications: a row per recipient, emailed by a task after commit (immediate in tests),
listed and opened in the portal; and the demo mailbox that exists only with DEBUG on."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from netzerohub.accounts.tests.factories import UserFactory
from netzerohub.core.models import Notification
from netzerohub.core.notifications import mark_all_read, notify
from netzerohub.core.tasks import email_notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return UserFactory(name="Nina Notified", email="nina@city.example")


def test_notify_creates_a_row_per_person_and_emails_each_after_commit(
    person, django_capture_on_commit_callbacks, mailoutbox
):
    other = UserFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        created = notify(
            [person, other], kind="test.thing.done", title="Done", body="Details", url="/my-city/"
        )
        assert mailoutbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()

    assert len(created) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([person.email, other.email])
    message = next(m for m in mailoutbox if m.to == [person.email])
    assert message.subject == "[NetZero Hub] Done"
    assert "Details" in message.body
    assert "/my-city/" in message.body
    assert all(n.emailed_at is not None for n in Notification.objects.all())


def test_nothing_is_emailed_when_the_transaction_rolls_back(person, mailoutbox):
    # In a test the surrounding transaction is never committed, as after a rollback.
    notify([person], kind="test.thing.done", title="Done")

    assert mailoutbox == []
    assert Notification.objects.get().emailed_at is None


def test_the_email_task_sends_once(person, mailoutbox):
    (notification,) = notify([person], kind="test.thing.done", title="Done")

    assert email_notification.call(notification.pk) is True
    assert email_notification.call(notification.pk) is False
    assert len(mailoutbox) == 1


def test_the_email_task_of_a_deleted_notification_does_nothing(mailoutbox):
    assert email_notification.call(987654) is False
    assert mailoutbox == []


def test_the_email_task_runs_immediately_when_enqueued(person, mailoutbox):
    (notification,) = notify([person], kind="test.thing.done", title="Done")

    result = email_notification.enqueue(notification.pk)

    assert result.return_value is True
    assert len(mailoutbox) == 1


def test_notify_nobody_is_fine(mailoutbox):
    assert notify([], kind="test.thing.done", title="Done") == []


# --- the pages -----------------------------------------------------------------------------------


def test_notifications_are_listed_newest_first_with_an_unread_count(client, person):
    notify([person], kind="k", title="First news")
    notify([person], kind="k", title="Second news")
    notify([UserFactory()], kind="k", title="Someone else's news")
    client.force_login(person)

    response = client.get(reverse("core:notifications"))

    page = response.content.decode()
    assert page.index("Second news") < page.index("First news")
    assert "Someone else&#x27;s news" not in page
    assert response.context["unread_notifications"] == 2


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, person):
    (notification,) = notify([person], kind="k", title="Go", url="/my-city/")
    client.force_login(person)

    response = client.post(reverse("core:notification-open", args=[notification.pk]))

    assert response["Location"] == "/my-city/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""]
)
def test_a_notification_never_leads_off_site(client, person, url):
    (notification,) = notify([person], kind="k", title="Go", url=url)
    client.force_login(person)

    response = client.post(reverse("core:notification-open", args=[notification.pk]))

    assert response["Location"] == reverse("core:notifications")


def test_nobody_opens_another_persons_notification(client, person):
    (notification,) = notify([UserFactory()], kind="k", title="Private", url="/")
    client.force_login(person)

    response = client.post(reverse("core:notification-open", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read(client, person):
    notify([person], kind="k", title="One")
    notify([person], kind="k", title="Two")
    (elsewhere,) = notify([UserFactory()], kind="k", title="Three")
    client.force_login(person)

    client.post(reverse("core:notifications-read-all"))

    assert not Notification.objects.for_user(person).unread().exists()
    elsewhere.refresh_from_db()
    assert elsewhere.read_at is None
    assert mark_all_read(person) == 0


def test_notifications_ask_visitors_to_sign_in(client):
    response = client.get(reverse("core:notifications"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- the demo mailbox ----------------------------------------------------------------------------


def test_demo_mailbox_does_not_exist_without_debug(client, settings):
    settings.DEBUG = False

    assert client.get(reverse("core:dev-mail")).status_code == 404
    assert client.get(reverse("core:dev-mail-message", args=["x-0"])).status_code == 404


def test_demo_mailbox_shows_the_mail_written_to_files(client, settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    mail.send_mail("Welcome to Malmö", "Hello Nina", None, ["nina@city.example"])

    listing = client.get(reverse("core:dev-mail"))

    assert listing.status_code == 200
    assert "Welcome to Malmö" in listing.content.decode()
    (message,) = listing.context["mail"]
    opened = client.get(reverse("core:dev-mail-message", args=[message.id]))
    assert "Hello Nina" in opened.content.decode()
    assert client.get(reverse("core:dev-mail-message", args=["nope-9"])).status_code == 404
    assert client.get("/dev/mail/..%2F..%2Fetc%2Fpasswd/").status_code == 404


def test_the_cached_unread_count_follows_new_and_read_notifications(
    client, person, django_capture_on_commit_callbacks
):
    client.force_login(person)
    assert client.get(reverse("core:notifications")).context["unread_notifications"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        notify([person], kind="k", title="News")
    assert client.get(reverse("core:notifications")).context["unread_notifications"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        mark_all_read(person)
    response = client.get(reverse("core:notifications"))
    assert response.context["unread_notifications"] == 0
    assert '<span class="badge">' not in response.content.decode()


def test_the_cached_header_holds_a_sign_out_token_valid_in_each_browser(person):
    """The signed-in header is cached per person and CSRF secret: a header rendered for one
    browser must not hand another browser a token that its cookie does not match."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = []
    for browser in (first, second):
        browser.force_login(person)
        page = browser.get(reverse("core:notifications")).content.decode()
        header = page[page.index('class="site-header"') : page.index("</header>")]
        tokens.append(header.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0])
    response = second.post(reverse("account_logout"), {"csrfmiddlewaretoken": tokens[1]})
    assert response.status_code == 302
    assert (
        first.post(reverse("account_logout"), {"csrfmiddlewaretoken": tokens[0]}).status_code == 302
    )
