"""The roster: who manages whom, job titles and bios, then the bulk insert of everyone planned."""

from collections import defaultdict
from typing import TYPE_CHECKING

from practica.demo.people import BIO_BODIES, BIO_OPENINGS, PersonPlan, job_title
from practica.people.models import User

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

BATCH = 500
TEAM_LEAD_MIN_LEVEL, GROUP_HEAD_MIN_LEVEL, DIVISION_HEAD_MIN_LEVEL = 6, 8, 9


def _seniority(plan: PersonPlan) -> tuple[int, int]:
    # Most senior first; among equals, the longest tenure.
    return (plan.user.career_level or 0, -plan.user.hired_on.toordinal())


def _choose_lead(people: list[PersonPlan]) -> PersonPlan:
    staying = [plan for plan in people if plan.user.left_on is None] or people
    return max(staying, key=_seniority)


def _promote(plan: PersonPlan, tier: int, level: int) -> None:
    plan.tier = min(plan.tier, tier)
    plan.user.career_level = max(plan.user.career_level or 1, level)


def assign_managers(story: "DemoStory") -> None:
    """Each team reports to its most senior staying member; leads to their group's head;
    group heads to the division head (a pre-chosen executive where the story names one)."""
    for division_key, teams in story.teams_by_division.items():
        everyone = [plan for team in teams for plan in team.people]
        if not everyone:
            continue
        chosen_heads = [plan for plan in everyone if plan.tier == 0]
        leads_by_group: dict[int, list[PersonPlan]] = defaultdict(list)
        lead_of_team: dict[int, PersonPlan] = {}
        for team in teams:
            candidates = [plan for plan in team.people if plan.tier > 0]
            if not candidates:
                continue
            lead = _choose_lead(candidates)
            _promote(lead, 2, TEAM_LEAD_MIN_LEVEL)
            lead_of_team[id(team)] = lead
            leads_by_group[team.group.pk].append(lead)
        group_heads = []
        for leads in leads_by_group.values():
            head = _choose_lead(leads)
            _promote(head, 1, GROUP_HEAD_MIN_LEVEL)
            group_heads.append(head)
            for lead in leads:
                if lead is not head:
                    lead.manager_plan = head
        if chosen_heads:
            division_head = chosen_heads[0]
        else:
            division_head = _choose_lead(group_heads)
            _promote(division_head, 0, DIVISION_HEAD_MIN_LEVEL)
            division_head.user.job_title = (
                f"Corporate Vice President, {story.divisions[division_key].name}"
            )
        for head in group_heads:
            if head is not division_head:
                head.manager_plan = division_head
        for team in teams:
            lead = lead_of_team.get(id(team))
            for plan in team.people:
                if plan.tier == 3 and lead is not None and plan is not lead:
                    plan.manager_plan = lead


def _topic_phrase(story: "DemoStory", slugs: list[str]) -> str:
    names = []
    for slug in slugs[:3]:
        name = story.topics[slug].name
        first_word = name.split()[0]
        names.append(name[0].lower() + name[1:] if first_word[1:].islower() else name)
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _lower_title(title: str) -> str:
    # "Product Manager II" → "product manager II": roman numerals and acronyms stay as they are.
    return " ".join(word if word.isupper() else word.lower() for word in title.split())


def write_profile_text(story: "DemoStory", plan: PersonPlan) -> None:
    """Job title from role and level; a short bio for most people (some never write one)."""
    user = plan.user
    if not user.job_title:
        user.job_title = job_title(user.role, user.career_level or 1)
    if user.bio or story.rng.random() < 0.18:
        return
    team = plan.team.unit.name if plan.team else "Operations"
    opening = story.rng.choice(BIO_OPENINGS).format(
        title=user.job_title,
        title_lower=_lower_title(user.job_title),
        team=team,
        city=user.location,
    )
    body = ""
    if plan.topics:
        body = story.rng.choice(BIO_BODIES).format(topics=_topic_phrase(story, plan.topics))
    user.bio = opening + body


def save_people(story: "DemoStory") -> None:
    """Insert everyone, managers before their reports (four tiers), then their expertise."""
    assign_managers(story)
    tiers: dict[int, list[PersonPlan]] = defaultdict(list)
    for plan in story.people:
        write_profile_text(story, plan)
        tiers[plan.tier].append(plan)
    for tier in sorted(tiers):
        for plan in tiers[tier]:
            if plan.manager_plan is not None:
                plan.user.manager_id = plan.manager_plan.user.pk
        User.objects.bulk_create([plan.user for plan in tiers[tier]], batch_size=BATCH)
    expertise = User.expertise.through
    rows = [
        expertise(user_id=plan.user.pk, topic_id=story.topics[slug].pk)
        for plan in story.people
        for slug in dict.fromkeys(plan.topics)
    ]
    expertise.objects.bulk_create(rows, batch_size=2000)
