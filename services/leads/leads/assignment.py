"""Who gets a lead: assignment rules (data), teams and their members, the history.

Round-robin takes turns from a gap-free counter per team (crmkit.numbering): the counter
row is locked until the assigning transaction commits, so concurrent assignments queue
and the turns stay fair — over N leads each member gets N/members, within one. The
same lock serialises fewest-open picks within a team, so two of them never both see the
same member as the least loaded.
"""
from __future__ import annotations

from sqlalchemy import delete, func, select

from crmkit.db import utcnow
from crmkit.errors import ValidationFailed, check_version
from crmkit.ids import new_id
from crmkit.numbering import next_number
from crmkit.schemas import load
from crmkit.unit_of_work import UnitOfWork

from . import domain, schemas
from .models import AssignmentRule, Lead, LeadAssignment, TeamMember

rule_out = schemas.AssignmentRuleOut()
assignment_out = schemas.LeadAssignmentOut()


def members_of(unit: UnitOfWork, team: str) -> list[str]:
    return list(unit.session.scalars(select(TeamMember.member_id).where(TeamMember.team == team)))


def _pick(unit: UnitOfWork, rule: AssignmentRule, members: list[str]) -> str:
    with unit.session.no_autoflush:  # a counter: the leads placed before need not be written for it
        turn = next_number(unit.session, f"assign:{rule.team}", 0)  # also the team's lock
    if rule.strategy == "round_robin":
        return domain.round_robin_pick(members, turn)
    # Autoflushed: the leads placed before in this unit of work (an import's chunk) count.
    counts = dict.fromkeys(members, 0)
    counts.update(unit.session.execute(
        select(Lead.owner_id, func.count()).where(Lead.owner_id.in_(members), Lead.status.in_(domain.OPEN_STATES))
        .group_by(Lead.owner_id)).all())
    return domain.fewest_open_pick(counts)


def _members_for_rules(unit: UnitOfWork, team: str) -> list[str]:
    """A team's members, read once per unit of work (an import assigns many leads), and
    without a flush: the leads an import placed before are written together later."""
    known = unit.session.info.setdefault("team_members", {})
    if team not in known:
        with unit.session.no_autoflush:
            known[team] = members_of(unit, team)
    return known[team]


def choose_by_rules(unit: UnitOfWork, lead: Lead) -> tuple[str, AssignmentRule] | None:
    """The member the first matching rule gives this lead to, with the rule; None when
    no rule matches (or its team has nobody in it)."""
    if "assignment_rules" not in unit.session.info:  # read once per unit of work (an import makes many leads)
        unit.session.info["assignment_rules"] = list(unit.session.scalars(
            select(AssignmentRule).where(AssignmentRule.active.is_(True))
            .order_by(AssignmentRule.position, AssignmentRule.id)))
    for rule in unit.session.info["assignment_rules"]:
        if domain.rule_matches(rule, lead.source, lead.country, lead.team):
            members = _members_for_rules(unit, rule.team)
            if members:
                return _pick(unit, rule, members), rule
    return None


def record(unit: UnitOfWork, lead: Lead, previous_owner: str | None, reason: str, rule_id: str | None = None) -> None:
    """Keep the history of a change of hands; lead.assigned tells everyone else."""
    entry = entry_of(unit, lead, previous_owner, reason, rule_id)
    unit.session.flush()
    report(unit, lead, entry)


def entry_of(unit: UnitOfWork, lead: Lead, previous_owner: str | None, reason: str,
             rule_id: str | None = None) -> LeadAssignment:
    """The history entry of a change of hands, added to the session (written by its next
    flush, which must not be the one that inserts the lead: see commands.write_new_leads)."""
    entry = LeadAssignment(lead_id=lead.id, from_owner=previous_owner, to_owner=lead.owner_id, team=lead.team,
                           rule_id=rule_id, reason=reason, at=utcnow(), actor=unit.call.actor)
    unit.session.add(entry)
    return entry


def report(unit: UnitOfWork, lead: Lead, entry: LeadAssignment) -> None:
    """lead.assigned for a change of hands already flushed."""
    from .commands import lead_out  # the lead's wire format lives with the lead's commands

    unit.report(lead, lead_out, "lead.assigned", assignment=assignment_out.dump(entry))


def reassign(unit: UnitOfWork, lead_id: str, data: dict, expected_version: int | None = None) -> dict:
    from .commands import lead_out  # the lead's wire format lives with the lead's commands

    choice = load(schemas.Assign, data)
    lead = unit.get(Lead, lead_id)
    check_version("lead", lead, expected_version)
    domain.check_editable(lead.status)
    team = choice.get("team", lead.team)
    members = members_of(unit, team) if team else []
    if choice["owner_id"] and members and choice["owner_id"] not in members:
        raise ValidationFailed({"owner_id": [f"{choice['owner_id']} is not a member of team {team}."]})
    previous = lead.owner_id
    lead.owner_id, lead.team, lead.updated_at = choice["owner_id"], team, utcnow()
    record(unit, lead, previous, choice["reason"])
    return lead_out.dump(lead)


def history(unit: UnitOfWork, lead_id: str) -> list[dict]:
    lead = unit.get(Lead, lead_id)
    rows = unit.session.scalars(select(LeadAssignment).where(LeadAssignment.lead_id == lead.id)
                                .order_by(LeadAssignment.id))
    return assignment_out.dump(rows, many=True)


def create_rule(unit: UnitOfWork, data: dict) -> dict:
    return unit.add(AssignmentRule(id=new_id(), **load(schemas.AssignmentRuleIn, data)), rule_out,
                    "assignment_rule.created")


def update_rule(unit: UnitOfWork, rule_id: str, data: dict, expected_version: int | None = None) -> dict:
    changes = load(schemas.AssignmentRuleIn(partial=True), data)
    rule = unit.get(AssignmentRule, rule_id)
    check_version("assignment_rule", rule, expected_version)
    return unit.update(rule, changes, rule_out, "assignment_rule.updated")


def list_rules(unit: UnitOfWork) -> list[dict]:
    return rule_out.dump(unit.session.scalars(
        select(AssignmentRule).order_by(AssignmentRule.position, AssignmentRule.id)), many=True)


def set_members(unit: UnitOfWork, team: str, data: dict) -> dict:
    members = sorted(set(load(schemas.TeamMembers, data)["members"]))
    unit.session.info.pop("team_members", None)  # what _members_for_rules read is out of date
    unit.session.execute(delete(TeamMember).where(TeamMember.team == team))
    unit.session.add_all(TeamMember(team=team, member_id=member) for member in members)
    unit.session.flush()
    unit.emit("team.members_changed", team, {"team": team, "members": members})
    return {"team": team, "members": members}


def get_team(unit: UnitOfWork, team: str) -> dict:
    return {"team": team, "members": sorted(members_of(unit, team))}
