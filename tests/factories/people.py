"""Factories for people and the org chart."""

import factory
from django.utils.text import slugify

from practica.core.tree import child_path, path_depth
from practica.people.models import OrgUnit, OrgUnitKind, Role, User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"Unit {n}")
    slug = factory.LazyAttribute(lambda unit: slugify(unit.name))
    kind = OrgUnitKind.DIVISION
    parent = None
    path = factory.LazyAttribute(
        lambda unit: child_path(unit.parent.path if unit.parent else None, unit.slug)
    )
    depth = factory.LazyAttribute(lambda unit: path_depth(unit.path))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Member {n}")
    role = Role.ENGINEER
    career_level = 4
    time_zone = "Europe/Berlin"
    location = "Berlin"
    country = "DE"
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def expertise(self, create, extracted, **kwargs):
        if create and extracted:
            self.expertise.set(extracted)
