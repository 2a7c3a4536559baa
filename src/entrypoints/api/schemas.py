"""Request and response bodies (pydantic). Unknown fields are refused so typos never pass silently."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from domain.shared.text import find_unprintable, refusal, unprintable_character

Text200 = Annotated[str, StringConstraints(max_length=200)]
RoleName = Literal["owner", "editor", "reviewer", "viewer"]  # domain.shared.roles.Role, most powerful first


def _printable(value: str) -> str:
    character = unprintable_character(value)
    if character:
        raise PydanticCustomError("control_character", refusal(character))
    return value


PrintableText = AfterValidator(_printable)  # for text outside a `Body`: form fields


class Body(BaseModel):
    """A request body: unknown fields are refused, and so is any text (nested ones included)
    holding a control character, with 422 naming the exact field."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: object, info: ValidationInfo) -> object:
        found = find_unprintable(value)
        if found:
            path, character = found
            # A ValidationError keeps the path inside this field (pydantic prefixes the field itself).
            raise ValidationError.from_exception_data(cls.__name__, [{
                "type": PydanticCustomError("control_character", refusal(character)), "loc": path, "input": value}])
        return value


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ----- identity ------------------------------------------------------------------------

class SignUpIn(Body):
    email: Annotated[str, StringConstraints(max_length=254)]
    password: Annotated[str, StringConstraints(max_length=1024)]
    name: Text200
    workspace_name: Text200 | None = Field(default=None, description="your own first workspace; may be left out "
                                                                      "when an invitation brings you into one")
    invitation_token: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="the token of an invitation (required when sign-up is by invitation)")


class SignUpOut(BaseModel):
    detail: str = Field(description="the same for every accepted sign-up, whether or not the email had an account")


class LogInIn(Body):
    email: Annotated[str, StringConstraints(max_length=254)]
    password: Annotated[str, StringConstraints(max_length=1024)]


class WorkspaceOut(Out):
    id: UUID
    name: str
    role: RoleName
    requires_approval: bool


class UserOut(Out):
    id: UUID
    email: str
    name: str
    time_zone: str | None = Field(description="the IANA zone the user chose for showing times; null: not chosen "
                                              "(screens use the browser's zone)")


class SessionOut(BaseModel):
    user: UserOut
    workspaces: list[WorkspaceOut]
    csrf_token: str


class MeOut(UserOut):
    workspaces: list[WorkspaceOut]


class ProfileIn(Body):
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        description="an IANA time zone such as Europe/Berlin; null follows the browser's zone")


class ApiTokenIn(Body):
    name: Text200
    expires_in_days: int | None = Field(default=None, description="1 to 3650; or give expires_at; neither: "
                                                                  "the token works until revoked")
    expires_at: datetime | None = Field(default=None, description="an instant with its time zone, e.g. "
                                                                  "2027-01-31T00:00:00Z")


class ApiTokenOut(BaseModel):
    id: UUID
    name: str
    token: str = Field(description="shown once; store it now")
    expires_at: datetime | None = None


class ApiTokenListedOut(Out):
    id: UUID
    name: str
    prefix: str = Field(description="the token's first characters, to recognise it; never the secret")
    created_at: datetime
    last_used_at: datetime | None = Field(description="recorded at most once a minute")
    expires_at: datetime | None
    expired: bool


class WorkspaceIn(Body):
    name: Text200
    requires_approval: bool = False


class WorkspaceSettingsIn(Body):
    name: Text200 | None = None
    requires_approval: bool | None = None


class InvitationIn(Body):
    email: Annotated[str, StringConstraints(max_length=254)]
    role: RoleName


class InvitationOut(BaseModel):
    id: UUID
    token: str
    expires_at: datetime


class PendingInvitationOut(Out):
    id: UUID
    email: str
    role: RoleName
    invited_by_name: str = Field(description="who invited them (empty if that account is gone)")
    invited_by_email: str
    expires_at: datetime


class AcceptInvitationIn(Body):
    token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class RoleIn(Body):
    role: RoleName


class MemberOut(Out):
    user_id: UUID
    email: str
    name: str
    role: RoleName


# ----- channels ------------------------------------------------------------------------

class ChannelIn(Body):
    platform: str
    handle: Text200
    display_name: Text200 = ""


class ConnectIn(Body):
    platform: str
    instance_url: Annotated[str, StringConstraints(max_length=300)] | None = Field(
        default=None, description="Mastodon: the instance, e.g. mastodon.social")


class ConnectOut(BaseModel):
    authorization_url: str = Field(description="send the browser here; it comes back to /api/oauth/callback")


class AppPasswordIn(Body):
    platform: str = "bluesky"
    identifier: Annotated[str, StringConstraints(min_length=1, max_length=254)] = Field(description="handle or email")
    app_password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    service_url: Annotated[str, StringConstraints(max_length=300)] | None = None


class MediaOut(BaseModel):
    ref: str
    mime_type: str
    size: int = Field(description="bytes")
    width: int = Field(description="pixels, as the image is shown")
    height: int
    animated: bool = Field(default=False, description="animated images are sent unchanged, never fitted")
    alt: str = Field(default="", description="the alt text (image description) platforms that honour it receive")


class MediaAltIn(Body):
    alt: Annotated[str, StringConstraints(max_length=1500)]


class RetryIn(Body):
    channel_id: UUID


class ChannelOut(Out):
    id: UUID
    platform: str
    handle: str
    display_name: str
    health: Literal["ok", "expiring", "needs_reconnect", "not_connected"]
    health_reason: str = Field(description="why the health is not ok (empty when ok)")
    health_fix: str = Field(description="what to do about it (empty when ok)")
    token_expires_at: datetime | None = Field(
        description="when the access token ends if it cannot be refreshed (UTC); null if it does not")
    base_url: str = Field(description="the server the account is on (a Mastodon instance, a PDS)")
    text_limit: int = Field(description="most characters a post may have: the platform's reported limit or its default")
    text_limit_reported: bool = Field(
        description="true when text_limit is what the server reported (a Mastodon instance's own)")
    image_max_bytes: int | None = Field(
        default=None, description="largest image the server reported it takes (a Mastodon instance's own); "
                                  "null: the platform's default in /api/platforms/rules")
    image_max_pixels: int | None = Field(default=None, description="most pixels per image the server reported; null as above")


# ----- campaigns -----------------------------------------------------------------------

class BrandVoiceIn(Body):
    tone: Text200 = ""
    audience: Annotated[str, StringConstraints(max_length=1000)] = ""
    keywords: list[Text200] = Field(default_factory=list, max_length=50)
    banned_words: list[Text200] = Field(default_factory=list, max_length=200)
    default_hashtags: list[Text200] = Field(default_factory=list, max_length=30)


class CampaignIn(Body):
    name: Text200
    objective: Annotated[str, StringConstraints(max_length=2000)] = ""
    starts_on: date | None = None
    ends_on: date | None = None
    brand_voice: BrandVoiceIn | None = None
    utm_defaults: dict[str, Text200] | None = None


class CampaignPatch(Body):
    name: Text200 | None = None
    objective: Annotated[str, StringConstraints(max_length=2000)] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    brand_voice: BrandVoiceIn | None = None
    utm_defaults: dict[str, Text200] | None = None


class BrandVoiceOut(Out):
    tone: str
    audience: str
    keywords: list[str]
    banned_words: list[str]
    default_hashtags: list[str] = Field(description="each starts with #")


class CampaignOut(Out):
    id: UUID
    name: str
    objective: str
    status: Literal["planned", "active", "completed"]
    archived: bool
    starts_on: date | None
    ends_on: date | None
    brand_voice: BrandVoiceOut
    utm_defaults: dict[Literal["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"], str]
    version: int
    post_count: int
    created_at: datetime
    updated_at: datetime
    stale: bool = Field(default=False, description="true while a saved change is not shown yet (set aside for repair)")


class SavedOut(Out):
    id: UUID
    version: int


# ----- posts ---------------------------------------------------------------------------

class PostIn(Body):
    text: Annotated[str, StringConstraints(max_length=100_000)] = ""
    channel_ids: list[UUID] = Field(min_length=1, max_length=50)
    campaign_id: UUID | None = None
    media: list[Text200] = Field(default_factory=list, max_length=10)
    variants: dict[UUID, Annotated[str, StringConstraints(max_length=100_000)]] = Field(default_factory=dict)
    schedule_at: datetime | None = Field(default=None, description="schedule at once: wall-clock time in `timezone`")
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class PostPatch(Body):
    text: Annotated[str, StringConstraints(max_length=100_000)] | None = None
    media: list[Text200] | None = Field(default=None, max_length=10)
    channel_ids: list[UUID] | None = Field(default=None, min_length=1, max_length=50)


class VariantIn(Body):
    text: Annotated[str, StringConstraints(max_length=100_000)]


class NoteIn(Body):
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


class ScheduleIn(Body):
    at: datetime = Field(description="wall-clock time in `timezone` (no offset), or an instant with an offset")
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class RescheduleIn(ScheduleIn):
    channel_ids: list[UUID] | None = Field(default=None, min_length=1)


class CancelIn(Body):
    channel_ids: list[UUID] | None = Field(default=None, min_length=1)


class FailureOut(Out):
    """Why a target did not go out (or is not known to have), and what the user should do."""

    reason: Literal["auth_expired", "rate_limited", "validation", "duplicate", "media_rejected",
                    "platform_unavailable", "unknown", "unconfirmed"]
    message: str = Field(description="the platform's words, or what went wrong")
    fix: str = Field(description="what to do about it, e.g. Reconnect this channel, then retry.")
    retry_at: datetime | None = Field(default=None, description="when PostWizard retries by itself; null: it waits")


class TargetOut(Out):
    channel_id: UUID
    platform: str
    state: Literal["draft", "scheduled", "publishing", "published", "unconfirmed", "failed", "cancelled"]
    scheduled_at: datetime | None
    attempts: int
    remote_id: str | None
    url: str | None
    failure: FailureOut | None


class HistoryOut(Out):
    version: int
    event: str
    at: datetime
    actor_id: UUID | None
    details: dict


class PostOut(Out):
    id: UUID
    campaign_id: UUID | None
    author_id: UUID
    status: str
    publish_state: str
    text: str
    variants: dict[str, str]
    media: list[str]
    timezone: str | None
    local_time: datetime | None
    scheduled_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    targets: list[TargetOut]
    history: list[HistoryOut] | None = None
    stale: bool = Field(default=False, description="true while a saved change is not shown yet (set aside for repair)")


class CalendarEntryOut(Out):
    post_id: UUID
    channel_id: UUID
    platform: str
    campaign_id: UUID | None
    scheduled_at: datetime
    timezone: str | None
    state: str
    preview: str


# ----- captions ------------------------------------------------------------------------

class BriefIn(Body):
    """What the post is about. It is content for the model, never instructions to it."""

    topic: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    key_message: Annotated[str, StringConstraints(max_length=1000)] = ""
    link: Annotated[str, StringConstraints(max_length=2000)] | None = None
    call_to_action: Annotated[str, StringConstraints(max_length=300)] = ""


class CaptionsIn(Body):
    brief: BriefIn
    platforms: Annotated[list[Annotated[str, StringConstraints(max_length=20)]], Field(min_length=1, max_length=7)]
    campaign_id: UUID | None = None
    language: Annotated[str, StringConstraints(max_length=20)] = "en"
    tone: Annotated[str, StringConstraints(max_length=100)] | None = None
    length: str = Field(default="medium", description="short, medium or long")
    emoji: bool = True
    hashtags: bool = True
    alternatives: int = Field(default=1, ge=1, le=5)
    media_count: int = Field(default=0, ge=0, le=20, description="images or videos the post will carry")


class CaptionVariantOut(Out):
    platform: str
    text: str
    length: int
    limit: int
    source: str = Field(description="model, repaired (the model fixed it) or fallback (PostWizard cut or cleaned it)")
    changes: list[str]


class PlatformCaptionsOut(Out):
    platform: str
    variants: list[CaptionVariantOut]


class UsageOut(Out):
    prompt_tokens: int
    completion_tokens: int


class CaptionSetOut(Out):
    model: str
    platforms: list[PlatformCaptionsOut]
    usage: UsageOut


class CaptionModelOut(Out):
    model: str
    kind: str
    ready: bool
    base_url: str | None
    fix: str | None


class CaptionUsageOut(Out):
    requests_today: int
    tokens_today: int
    requests_this_month: int
    prompt_tokens_this_month: int
    completion_tokens_this_month: int
    limit_per_hour: int
    used_this_hour: int
    model: CaptionModelOut


# ----- engagement ----------------------------------------------------------------------

class CountersOut(Out):
    """A metric the platform does not give is null, never 0."""

    likes: int | None
    reposts: int | None
    replies: int | None
    quotes: int | None
    bookmarks: int | None
    impressions: int | None
    clicks: int | None


class EngagementPointOut(Out):
    captured_at: datetime
    counters: CountersOut
    flags: list[str] = Field(description="`<metric>:dropped` (the platform's number went down; kept) or "
                                         "`<metric>:missing` (the platform stopped giving it)")


class TargetEngagementOut(Out):
    channel_id: UUID
    platform: str
    remote_id: str
    published_at: datetime
    counters: CountersOut = Field(description="the latest numbers (all null before the first read)")
    engagement_rate: float | None = Field(description="interactions / impressions; null without impressions")
    flags: list[str]
    captured_at: datetime | None = Field(description="the last read that answered; null: not read yet")
    next_poll_at: datetime | None = Field(description="the next read; null: polling has stopped (90 days)")
    error: str | None = Field(description="why the last read failed, if it did; the numbers are the last known")
    series: list[EngagementPointOut] = Field(description="each change of the numbers, oldest first")


class PostEngagementOut(Out):
    post_id: UUID
    totals: CountersOut = Field(description="summed over the targets; null where no target gives the metric")
    captured_at: datetime | None = Field(description="the stalest read among the targets")
    next_poll_at: datetime | None
    targets: list[TargetEngagementOut]


class EngagementRefreshOut(Out):
    targets: int = Field(description="published targets whose numbers are read now (0: nothing published yet)")
