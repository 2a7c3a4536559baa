"""Handlers wired to in-memory adapters: the eventsourcing library's POPO persistence (same
transcoding as production), the in-memory unit of work, a controlled clock, random ids and a
deliberately cheap argon2 hasher. No network, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import count
from uuid import UUID

import pytest

from adapters.identity.common_passwords import ZxcvbnCommonPasswords
from adapters.identity.memory_login_throttle import MemoryLoginThrottle
from adapters.identity.password_hasher import Argon2PasswordHasher
from adapters.shared.clock import ControlledClock, RandomIds
from adapters.shared.event_store import AsyncEventStore, build_application
from adapters.shared.memory_unit_of_work import MemoryCredentials, MemoryUnitOfWorkFactory
from application.campaigns.activate_campaign import ActivateCampaignHandler
from application.campaigns.archive_campaign import ArchiveCampaignHandler
from application.campaigns.commands import CreateCampaign
from application.campaigns.complete_campaign import CompleteCampaignHandler
from application.campaigns.create_campaign import CreateCampaignHandler
from application.campaigns.update_campaign import UpdateCampaignHandler
from application.channels.add_planned_channel import AddPlannedChannelHandler
from application.channels.commands import AddPlannedChannel
from application.channels.list_channels import ListChannelsHandler
from application.identity.accept_invitation import AcceptInvitationHandler
from application.identity.authenticate import AuthenticateHandler
from application.identity.change_role import ChangeRoleHandler
from application.identity.commands import AcceptInvitation, InviteMember, LogIn, ResolveActor, SignUp
from application.identity.create_api_token import CreateApiTokenHandler
from application.identity.create_workspace import CreateWorkspaceHandler
from application.identity.get_me import GetMeHandler
from application.identity.invite_member import InviteMemberHandler
from application.identity.list_members import ListMembersHandler
from application.identity.log_in import LogInHandler
from application.identity.log_out import LogOutHandler
from application.identity.resolve_actor import ResolveActorHandler
from application.identity.sign_up import SignUpHandler
from application.identity.update_workspace_settings import UpdateWorkspaceSettingsHandler
from application.publishing.cancel_post import CancelPostHandler
from application.publishing.commands import CreateDraftPost
from application.publishing.create_draft_post import CreateDraftPostHandler
from application.publishing.edit_post import EditPostHandler
from application.publishing.reschedule_post import ReschedulePostHandler
from application.publishing.review import ApprovePostHandler, RequestChangesHandler, SubmitForReviewHandler
from application.publishing.schedule_post import SchedulePostHandler
from application.publishing.set_variant import SetVariantHandler
from application.shared.actor import Actor

START = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"
COMMON_PASSWORDS = ZxcvbnCommonPasswords()
_emails = count(1)


@pytest.fixture
def clock() -> ControlledClock:
    return ControlledClock(START)


@pytest.fixture
def ids() -> RandomIds:
    return RandomIds()


@pytest.fixture
def uow() -> MemoryUnitOfWorkFactory:
    return MemoryUnitOfWorkFactory()


@pytest.fixture
def store():
    store = AsyncEventStore(build_application({}))
    yield store
    store.close()


@pytest.fixture
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass
class Member:
    """A signed-up user and their actor in one workspace."""

    email: str
    user_id: UUID
    session_token: str
    actor: Actor


class App:
    """Every handler, wired to the test adapters, plus a few shortcuts to set up a scene."""

    def __init__(self, store, uow, clock, ids, hasher) -> None:
        self.store, self.uow, self.clock, self.ids, self.hasher = store, uow, clock, ids, hasher
        # identity
        self.throttle = MemoryLoginThrottle()
        self.sign_up = SignUpHandler(uow, hasher, clock, ids, COMMON_PASSWORDS)
        self.log_in = LogInHandler(uow, hasher, clock, self.throttle)
        self.log_out = LogOutHandler(uow)
        self.authenticate = AuthenticateHandler(MemoryCredentials(uow), uow, clock)
        self.resolve_actor = ResolveActorHandler(uow)
        self.create_workspace = CreateWorkspaceHandler(uow, clock, ids)
        self.update_workspace_settings = UpdateWorkspaceSettingsHandler(uow)
        self.invite_member = InviteMemberHandler(uow, clock, ids)
        self.accept_invitation = AcceptInvitationHandler(uow, clock)
        self.change_role = ChangeRoleHandler(uow)
        self.create_api_token = CreateApiTokenHandler(uow, clock, ids)
        self.get_me = GetMeHandler(uow)
        self.list_members = ListMembersHandler(uow)
        # channels
        self.add_planned_channel = AddPlannedChannelHandler(uow, clock, ids)
        self.list_channels = ListChannelsHandler(uow, clock)
        # campaigns
        self.create_campaign = CreateCampaignHandler(store)
        self.update_campaign = UpdateCampaignHandler(store)
        self.activate_campaign = ActivateCampaignHandler(store)
        self.complete_campaign = CompleteCampaignHandler(store)
        self.archive_campaign = ArchiveCampaignHandler(store)
        # publishing
        self.create_draft_post = CreateDraftPostHandler(store, uow, clock)
        self.edit_post = EditPostHandler(store, uow, clock)
        self.set_variant = SetVariantHandler(store, uow)
        self.submit_for_review = SubmitForReviewHandler(store)
        self.approve_post = ApprovePostHandler(store)
        self.request_changes = RequestChangesHandler(store)
        self.schedule_post = SchedulePostHandler(store, clock, uow)
        self.reschedule_post = ReschedulePostHandler(store, clock)
        self.cancel_post = CancelPostHandler(store)

    # ----- scene shortcuts -----------------------------------------------------------------

    async def owner(self, workspace_name: str = "Acme", email: str | None = None) -> Member:
        """A new user who signs up with their own workspace (and so owns it)."""
        email = email or f"user{next(_emails)}@example.com"
        signed_up = await self.sign_up(SignUp(email=email, password=PASSWORD, name="Test User",
                                              workspace_name=workspace_name))
        session = await self.log_in(LogIn(email, PASSWORD))
        actor = await self.resolve_actor(ResolveActor(session.user_id, signed_up.workspace.id))
        return Member(email, session.user_id, session.session_token, actor)

    async def member(self, owner: Member, role: str) -> Member:
        """A new user invited by `owner` into the owner's workspace with `role`."""
        newcomer = await self.owner(workspace_name="Own workspace")
        invitation = await self.invite_member(InviteMember(owner.actor, newcomer.email, role))
        await self.accept_invitation(AcceptInvitation(newcomer.user_id, invitation.token))
        actor = await self.resolve_actor(ResolveActor(newcomer.user_id, owner.actor.workspace_id))
        return Member(newcomer.email, newcomer.user_id, newcomer.session_token, actor)

    async def channel(self, owner: Member, platform: str = "mastodon", handle: str | None = None) -> UUID:
        created = await self.add_planned_channel(
            AddPlannedChannel(owner.actor, platform, handle or f"@acct{next(_emails)}@example.social"))
        return created.id

    async def campaign(self, member: Member, name: str = "Spring") -> UUID:
        return (await self.create_campaign(CreateCampaign(member.actor, name))).id

    async def draft(self, member: Member, channel_ids: list[UUID], text: str = "Hello world", **kwargs) -> UUID:
        return (await self.create_draft_post(CreateDraftPost(member.actor, text, channel_ids, **kwargs))).id


@pytest.fixture
def app(store, uow, clock, ids, hasher) -> App:
    return App(store, uow, clock, ids, hasher)
