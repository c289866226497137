from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from crmkit import platform_tables
from crmkit.db import ExactDecimal, UtcDateTime, new_metadata
from crmkit.records import Record, changes_index

# Keys derived for duplicate detection: what people typed is in the history already.
NOT_IN_HISTORY = {"history": False}


class Base(DeclarativeBase):
    metadata = new_metadata()


platform_tables.install(Base.metadata)


class Organization(Record, Base):
    __tablename__ = "organizations"
    __table_args__ = (changes_index("organizations"),)

    name: Mapped[str] = mapped_column(String(200), index=True)
    # Kept bare ("example.com": no scheme, no www., lower case) so a search by domain matches.
    domain: Mapped[str | None] = mapped_column(String(200), index=True)
    industry: Mapped[str | None] = mapped_column(String(100))
    employees: Mapped[int | None] = mapped_column(Integer)
    country: Mapped[str | None] = mapped_column(String(2))
    vat_id: Mapped[str | None] = mapped_column(String(40))
    billing_address: Mapped[dict | None] = mapped_column(JSON)
    shipping_address: Mapped[dict | None] = mapped_column(JSON)
    # The customer's payment terms (net days); None: the seller's default.
    payment_terms_days: Mapped[int | None] = mapped_column(Integer)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # normalize.company(name)
    name_key: Mapped[str | None] = mapped_column(String(200), index=True, info=NOT_IN_HISTORY)


class Contact(Record, Base):
    __tablename__ = "contacts"
    __table_args__ = (changes_index("contacts"),)

    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(100))
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    decision_maker: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Duplicate detection compares these (leads.normalize), kept beside what people typed.
    email_key: Mapped[str | None] = mapped_column(String(254), index=True, info=NOT_IN_HISTORY)
    phone_key: Mapped[str | None] = mapped_column(String(20), index=True, info=NOT_IN_HISTORY)
    person_key: Mapped[str | None] = mapped_column(String(200), index=True, info=NOT_IN_HISTORY)


class Lead(Record, Base):
    __tablename__ = "leads"
    __table_args__ = (
        changes_index("leads"),
        # The lists' keyset orders: a filter column, then the sort column and the id.
        Index("ix_leads_created", "created_at", "id"),
        Index("ix_leads_status_created", "status", "created_at", "id"),
        Index("ix_leads_owner_created", "owner_id", "created_at", "id"),
        # The funnel's cohort: a range of created_at, all it counts by in the index (migration 0016).
        Index("ix_leads_funnel_cohort", "created_at", "source", "status", "qualified_at"),
    )

    status: Mapped[str] = mapped_column(String(20), index=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    company: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(100))
    employees: Mapped[int | None] = mapped_column(Integer)
    annual_revenue: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    annual_revenue_currency: Mapped[str | None] = mapped_column(String(3))
    country: Mapped[str | None] = mapped_column(String(2))
    # {"street", "postal_code", "city", "region"}
    address: Mapped[dict | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(20))
    campaign: Mapped[str | None] = mapped_column(String(100))
    team: Mapped[str | None] = mapped_column(String(64))
    budget_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    budget_currency: Mapped[str | None] = mapped_column(String(3))
    authority: Mapped[bool | None] = mapped_column(Boolean)
    need: Mapped[str | None] = mapped_column(Text)
    timeline: Mapped[date | None] = mapped_column(Date)
    disqualify_reason: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[str | None] = mapped_column(String(36))
    # leads.scoring keeps these: the score, the rules that made it, and the model used.
    score: Mapped[int] = mapped_column(Integer, default=0, index=True)
    score_factors: Mapped[list] = mapped_column(JSON, default=list)
    rating: Mapped[str] = mapped_column(String(4), default="cold")
    score_model_version: Mapped[int] = mapped_column(Integer, default=0, index=True)
    email_key: Mapped[str | None] = mapped_column(String(254), index=True, info=NOT_IN_HISTORY)
    phone_key: Mapped[str | None] = mapped_column(String(20), index=True, info=NOT_IN_HISTORY)
    company_key: Mapped[str | None] = mapped_column(String(200), index=True, info=NOT_IN_HISTORY)
    person_key: Mapped[str | None] = mapped_column(String(200), info=NOT_IN_HISTORY)
    # When it last became qualified; kept when it is converted, disqualified or recycled
    # (the funnel counts qualifications by it: leads.reports).
    qualified_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    converted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    converted_organization_id: Mapped[str | None] = mapped_column(String(36), index=True)
    converted_contact_id: Mapped[str | None] = mapped_column(String(36))
    converted_opportunity_id: Mapped[str | None] = mapped_column(String(36))
    # What became of the opportunity the conversion asked deals for: pending until deals
    # says created or failed (with its reasons).
    opportunity_status: Mapped[str | None] = mapped_column(String(10))
    opportunity_failure: Mapped[dict | None] = mapped_column(JSON)

    tag_rows: Mapped[list[LeadTag]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                   info={"history": "tags"})

    @property
    def tags(self) -> list[str]:
        return sorted(row.tag for row in self.tag_rows)

    @tags.setter
    def tags(self, tags: list[str]) -> None:
        wanted = set(tags)
        self.tag_rows = [row for row in self.tag_rows if row.tag in wanted] + [
            LeadTag(tag=tag) for tag in sorted(wanted - {row.tag for row in self.tag_rows})]


class LeadTag(Base):
    """A lead's tags, one row each, so that lists can filter by tag on any database."""

    __tablename__ = "lead_tags"
    __table_args__ = (PrimaryKeyConstraint("lead_id", "tag", name="pk_lead_tags"),)

    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(50), index=True)


class TeamMember(Base):
    """Who takes leads for a team: the members that assignment rules choose from."""

    __tablename__ = "team_members"
    __table_args__ = (PrimaryKeyConstraint("team", "member_id", name="pk_team_members"),)

    team: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[str] = mapped_column(String(64))


class AssignmentRule(Record, Base):
    """Rules are data: the first active rule (by position) whose conditions all hold
    assigns the lead to a member of its team. An empty condition matches anything."""

    __tablename__ = "assignment_rules"

    position: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(100))
    match_source: Mapped[str | None] = mapped_column(String(20))
    match_country: Mapped[str | None] = mapped_column(String(2))
    match_team: Mapped[str | None] = mapped_column(String(64))
    team: Mapped[str] = mapped_column(String(64))
    strategy: Mapped[str] = mapped_column(String(20))  # round_robin | fewest_open
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LeadAssignment(Base):
    """Every time a lead changes hands: who had it, who has it, why."""

    __tablename__ = "lead_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id"), index=True)
    from_owner: Mapped[str | None] = mapped_column(String(64))
    to_owner: Mapped[str | None] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(64))
    rule_id: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str | None] = mapped_column(String(64))


class ScoringModel(Base):
    """Each change of the scoring rules is a new version; the newest one scores."""

    __tablename__ = "scoring_models"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    rules: Mapped[list] = mapped_column(JSON)
    hot_from: Mapped[int] = mapped_column(Integer)
    warm_from: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str | None] = mapped_column(String(64))


class ImportedRow(Base):
    """A CSV row already imported (its fingerprint) and the lead it made or updated."""

    __tablename__ = "imported_rows"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id"), index=True)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
