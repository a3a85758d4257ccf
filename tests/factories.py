import time

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import AnalysisBox, Article, Author, Byline, Comment, Section, Status
from articles.roles import EDITORS, REPORTERS


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@newsroom.test")
    is_staff = True
    password = factory.django.Password("correct-horse-battery")


def in_group(name):
    def join(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name=name))

    return factory.PostGeneration(join)


class ReporterFactory(UserFactory):
    group = in_group(REPORTERS)


class EditorFactory(UserFactory):
    group = in_group(EDITORS)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Faker("name")
    slug = factory.Sequence(lambda n: f"author-{n}")
    job_title = "Correspondent"


class ArticleFactory(factory.django.DjangoModelFactory):
    """ArticleFactory(published=True, authors=2, tags=3, comments=2)"""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(
            status=Status.PUBLISHED,
            publish_at=factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=1)),
            first_published_at=factory.SelfAttribute("publish_at"),
        )

    headline = factory.Sequence(lambda n: f"Story number {n} from the desk")
    standfirst = "A summary lead for the story."
    body = "<p>First paragraph.</p><p>Second paragraph.</p><p>Third paragraph.</p>"
    section = factory.SubFactory(SectionFactory)
    created_by = factory.SubFactory(ReporterFactory)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create:
            for position in range(extracted if extracted is not None else 1):
                Byline.objects.create(article=self, author=AuthorFactory(), position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*[f"tag {self.pk}-{n}" for n in range(extracted)])

    @factory.post_generation
    def comments(self, create, extracted, **kwargs):
        if create and extracted:
            CommentFactory.create_batch(extracted, article=self, status="approved")


class AnalysisBoxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnalysisBox

    article = factory.SubFactory(ArticleFactory)
    author = factory.SubFactory(AuthorFactory)
    heading = "What it means"
    body = "<p>Analysis paragraph.</p>"


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory, published=True)
    name = factory.Faker("first_name")
    email = factory.Faker("email")
    body = factory.Faker("paragraph")


def comment_form_data(article, *, typed_for=60, **fields):
    """What the article page's comment form sends after `typed_for` seconds of typing."""
    from articles.services.comments import form_token

    return {
        "name": "Olga",
        "email": "olga@example.com",
        "body": "Thoughtful piece.",
        "issued": form_token(article, time.time() - typed_for),
        "website": "",
        **fields,
    }
