"""Factories for communities and memberships."""

import factory
from django.utils.text import slugify

from practica.communities.models import Access, Community, Membership, MembershipRole, Program
from tests.factories.people import UserFactory


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.LazyAttribute(lambda program: slugify(program.name))


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.LazyAttribute(lambda community: slugify(community.name))
    description = "A community of practice."
    access = Access.OPEN


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    person = factory.SubFactory(UserFactory)
    role = MembershipRole.MEMBER
