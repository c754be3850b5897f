"""Factories for communities and memberships."""

import factory
from django.utils.text import slugify

from practica.communities.models import (
    Access,
    Community,
    Group,
    GroupKind,
    GroupMembership,
    GroupRole,
    Membership,
    MembershipRole,
    Program,
)
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


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"Reading group {n}")
    slug = factory.LazyAttribute(lambda group: slugify(group.name))
    kind = GroupKind.READING


class GroupMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMembership

    group = factory.SubFactory(GroupFactory)
    person = factory.SubFactory(UserFactory)
    role = GroupRole.MEMBER
