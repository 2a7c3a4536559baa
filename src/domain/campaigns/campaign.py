"""The Campaign aggregate.

Rules:
- a name is required (1-120 characters); the end date is not before the start date;
- status moves planned -> active -> completed, never backwards;
- an archived campaign is read-only; only a planned or completed campaign can be archived
  (an active one is completed first).

Rules are checked in the public methods; the `@event` methods only change state, so a stream
stored under an older rule replays as it happened.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.campaigns.brand_voice import BrandVoice, utm_defaults
from domain.shared.errors import InvalidValue, RuleViolated
from domain.shared.workspace_aggregate import WorkspaceAggregate


class CampaignStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"


def _name(value: str) -> str:
    value = (value or "").strip()
    if not 1 <= len(value) <= 120:
        raise InvalidValue("name", "must be 1 to 120 characters")
    return value


def _dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise InvalidValue("ends_on", f"{ends_on} is before the start date {starts_on}")


class Campaign(WorkspaceAggregate):
    @classmethod
    def plan(
        cls,
        *,
        workspace_id: UUID,
        created_by: UUID,
        name: str,
        objective: str = "",
        starts_on: date | None = None,
        ends_on: date | None = None,
        brand_voice: dict | None = None,
        utm: dict | None = None,
    ) -> "Campaign":
        _dates(starts_on, ends_on)
        return cls(
            workspace_id=workspace_id,
            created_by=created_by,
            name=_name(name),
            objective=(objective or "").strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            brand_voice=BrandVoice.from_dict(brand_voice).to_dict(),
            utm_defaults=utm_defaults(utm),
        )

    @event("Planned")
    def __init__(
        self,
        workspace_id: UUID,
        created_by: UUID,
        name: str,
        objective: str,
        starts_on: date | None,
        ends_on: date | None,
        brand_voice: dict,
        utm_defaults: dict,
    ) -> None:
        self.workspace_id = workspace_id
        self.created_by = created_by
        self.name = name
        self.objective = objective
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.brand_voice = brand_voice
        self.utm_defaults = utm_defaults
        self.status = CampaignStatus.PLANNED
        self.archived = False

    def update(self, *, by: UUID, **changes) -> None:
        """Change any of name, objective, starts_on, ends_on, brand_voice, utm_defaults."""
        self._require_not_archived()
        allowed = {"name", "objective", "starts_on", "ends_on", "brand_voice", "utm_defaults"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidValue(sorted(unknown)[0], "cannot be changed on a campaign")
        clean: dict = {}
        if "name" in changes:
            clean["name"] = _name(changes["name"])
        if "objective" in changes:
            clean["objective"] = (changes["objective"] or "").strip()
        for key in ("starts_on", "ends_on"):
            if key in changes:
                clean[key] = changes[key]
        _dates(clean.get("starts_on", self.starts_on), clean.get("ends_on", self.ends_on))
        if "brand_voice" in changes:
            clean["brand_voice"] = BrandVoice.from_dict(changes["brand_voice"]).to_dict()
        if "utm_defaults" in changes:
            clean["utm_defaults"] = utm_defaults(changes["utm_defaults"])
        clean = {k: v for k, v in clean.items() if getattr(self, k) != v}
        if clean:
            self._updated(by=by, changes=clean)

    @event("Updated")
    def _updated(self, by: UUID, changes: dict) -> None:
        for key, value in changes.items():
            setattr(self, key, value)

    def activate(self, by: UUID) -> None:
        self._require_not_archived()
        if self.status is not CampaignStatus.PLANNED:
            raise RuleViolated("campaign_status_transition", f"only a planned campaign can be activated; this one is {self.status}")
        self._activated(by=by)

    @event("Activated")
    def _activated(self, by: UUID) -> None:
        self.status = CampaignStatus.ACTIVE

    def complete(self, by: UUID) -> None:
        self._require_not_archived()
        if self.status is not CampaignStatus.ACTIVE:
            raise RuleViolated("campaign_status_transition", f"only an active campaign can be completed; this one is {self.status}")
        self._completed(by=by)

    @event("Completed")
    def _completed(self, by: UUID) -> None:
        self.status = CampaignStatus.COMPLETED

    def archive(self, by: UUID) -> None:
        self._require_not_archived()
        if self.status is CampaignStatus.ACTIVE:
            raise RuleViolated("campaign_active", "complete the campaign before archiving it")
        self._archived(by=by)

    @event("Archived")
    def _archived(self, by: UUID) -> None:
        self.archived = True

    def _require_not_archived(self) -> None:
        if self.archived:
            raise RuleViolated("campaign_archived", "an archived campaign cannot be changed")
