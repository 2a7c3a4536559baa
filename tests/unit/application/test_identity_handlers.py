"""Identity handlers on the in-memory unit of work: sign-up (modes, enumeration), log-in (throttling),
sessions, API tokens (expiry, listing, revocation), workspaces (the cap), invitations and roles."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from adapters.identity.memory_login_throttle import MemoryLoginThrottle
from application.identity.commands import (
    AcceptInvitation,
    Authenticate,
    ChangeRole,
    CreateApiToken,
    CreateWorkspace,
    GetMe,
    InviteMember,
    ListApiTokens,
    ListMembers,
    LogIn,
    LogOut,
    ResolveActor,
    RevokeApiToken,
    SetTimeZone,
    SignUp,
    UpdateWorkspaceSettings,
)
from application.identity.create_workspace import CreateWorkspaceHandler
from application.identity.list_api_tokens import ListApiTokensHandler
from application.identity.log_in import LogInHandler
from application.identity.ports import LoginThrottled
from application.identity.results import SessionStarted
from application.identity.revoke_api_token import RevokeApiTokenHandler
from application.identity.set_time_zone import SetTimeZoneHandler
from application.identity.sign_up import SignUpHandler
from application.shared.actor import Actor
from application.shared.bearer_secrets import digest
from application.shared.errors import Forbidden, NotFound, Unauthenticated
from domain.identity.login_throttle import LoginThrottlePolicy
from domain.shared.errors import InvalidValue, RuleViolated
from domain.shared.roles import Role
from tests.unit.conftest import COMMON_PASSWORDS, PASSWORD


def sign_up(email="ada@example.com", password=PASSWORD, name="Ada", workspace="Acme", **kw) -> SignUp:
    return SignUp(email=email, password=password, name=name, workspace_name=workspace, **kw)


async def signed_in(app, email="ada@example.com") -> SessionStarted:
    await app.sign_up(sign_up(email=email))
    return await app.log_in(LogIn(email, PASSWORD))


# --- sign up ----------------------------------------------------------------------------

async def test_sign_up_creates_user_workspace_and_ownership_but_logs_nobody_in(app, uow, clock):
    outcome = await app.sign_up(sign_up(email="  Ada@Example.com "))
    state = uow.state
    user = state.users[outcome.user_id]
    assert user.email == "ada@example.com" and user.name == "Ada" and user.created_at == clock.now()
    assert outcome.workspace.name == "Acme" and outcome.workspace.role == "owner"
    assert state.workspaces[outcome.workspace.id].requires_approval is False
    assert state.memberships[(outcome.workspace.id, user.id)].role is Role.OWNER
    assert state.sessions == {}
    session = await app.log_in(LogIn("ada@example.com", PASSWORD))
    assert session.expires_at == clock.now() + timedelta(days=14)
    principal = await app.authenticate(Authenticate(session_token=session.session_token))
    assert principal.user_id == user.id and principal.via == "session"
    assert principal.csrf_token == session.csrf_token


async def test_passwords_and_session_tokens_are_stored_hashed(app, uow, hasher):
    session = await signed_in(app)
    user = uow.state.users[session.user_id]
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert await hasher.verify(user.password_hash, PASSWORD)
    assert list(uow.state.sessions) == [digest(session.session_token)]
    assert session.session_token not in repr(uow.state)


async def test_a_taken_email_changes_nothing_and_looks_like_a_new_one(app, uow):
    first = await app.sign_up(sign_up(email="ada@example.com"))
    again = await app.sign_up(sign_up(email="ADA@example.com", password="another fine phrase", workspace="Another"))
    assert first.user_id is not None and again.user_id is None and again.workspace is None
    assert len(uow.state.users) == 1 and len(uow.state.workspaces) == 1
    assert await app.log_in(LogIn("ada@example.com", PASSWORD))  # the first password still works
    # The operator on the server is told plainly.
    with pytest.raises(RuleViolated) as info:
        await app.sign_up(sign_up(email="ada@example.com", by_operator=True))
    assert info.value.rule == "email_taken"


@pytest.mark.parametrize(("command", "field"), [
    (sign_up(email="not-an-email"), "email"),
    (sign_up(password="short"), "password"),
    (sign_up(password="password12"), "password"),
    (sign_up(password="aaaaaaaaaa"), "password"),
    (sign_up(email="lovelace@example.com", password="I am lovelace!"), "password"),
    (sign_up(name="  "), "name"),
    (sign_up(workspace=""), "workspace_name"),
    (sign_up(workspace=None), "workspace_name"),
    (sign_up(invitation_token="made-up"), "invitation_token"),
])
async def test_sign_up_validates_its_input(app, uow, command, field):
    with pytest.raises(InvalidValue) as info:
        await app.sign_up(command)
    assert info.value.field == field
    assert uow.state.users == {}


def handler(app, mode: str) -> SignUpHandler:
    return SignUpHandler(app.uow, app.hasher, app.clock, app.ids, COMMON_PASSWORDS, mode)


@pytest.mark.parametrize("mode", ["invite", "closed"])
async def test_the_first_user_may_always_sign_up_then_the_mode_decides(app, uow, mode):
    assert (await handler(app, mode)(sign_up(email="first@example.com"))).user_id is not None
    with pytest.raises(RuleViolated) as info:
        await handler(app, mode)(sign_up(email="second@example.com"))
    assert info.value.rule == {"invite": "invitation_required", "closed": "sign_up_closed"}[mode]
    assert (await handler(app, mode)(sign_up(email="third@example.com", by_operator=True))).user_id is not None
    assert len(uow.state.users) == 2


async def test_by_invitation_a_new_user_joins_the_inviting_workspace(app, uow, clock):
    owner = await app.owner("Agency")
    invitation = await app.invite_member(InviteMember(owner.actor, "bob@example.com", "editor"))
    invite_only = handler(app, "invite")
    with pytest.raises(RuleViolated) as info:  # the invitation is for Bob only
        await invite_only(sign_up(email="eve@example.com", workspace=None, invitation_token=invitation.token))
    assert info.value.rule == "invitation_email"
    outcome = await invite_only(sign_up(email="bob@example.com", workspace=None, invitation_token=invitation.token))
    assert outcome.workspace is None and outcome.joined_workspace_id == owner.actor.workspace_id
    assert uow.state.memberships[(owner.actor.workspace_id, outcome.user_id)].role is Role.EDITOR
    assert uow.state.invitations[invitation.id].accepted_at == clock.now()
    with pytest.raises(RuleViolated) as info:
        await invite_only(sign_up(email="bob@example.com", invitation_token=invitation.token))
    assert info.value.rule == "invitation_used"


# --- log in, sessions, log out ----------------------------------------------------------

async def test_log_in_starts_a_new_session(app, uow, clock):
    first = await signed_in(app)
    clock.advance(timedelta(hours=1))
    session = await app.log_in(LogIn(" ADA@example.com", PASSWORD))
    assert session.user_id == first.user_id and session.session_token != first.session_token
    assert session.expires_at == clock.now() + timedelta(days=14)
    assert len(uow.state.sessions) == 2
    assert (await app.authenticate(Authenticate(session_token=session.session_token))).user_id == first.user_id


@pytest.mark.parametrize(("email", "password"), [
    ("ada@example.com", "wrong password!"),
    ("ada@example.com", ""),
    ("nobody@example.com", PASSWORD),
    ("not an email", PASSWORD),
])
async def test_log_in_refusals_all_look_the_same(app, uow, email, password):
    await app.sign_up(sign_up())
    with pytest.raises(Unauthenticated) as info:
        await app.log_in(LogIn(email, password))
    assert str(info.value) == "the email or password is wrong"
    assert uow.state.sessions == {}


class CountingHasher:
    """The real (cheap) hasher, counting verifications: throttled attempts must cost none."""

    def __init__(self, hasher) -> None:
        self.hasher, self.verified = hasher, 0

    async def hash(self, password: str) -> str:
        return await self.hasher.hash(password)

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return await self.hasher.verify(password_hash, password)


async def test_guesses_are_throttled_before_hashing_while_the_user_logs_in_from_elsewhere(app, clock, hasher):
    await app.sign_up(sign_up())
    counting = CountingHasher(hasher)
    log_in = LogInHandler(app.uow, counting, clock, MemoryLoginThrottle())
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            await log_in(LogIn("ada@example.com", "wrong guess 1", "203.0.113.9"))
    with pytest.raises(LoginThrottled) as info:
        await log_in(LogIn("ADA@example.com", "wrong guess 2", "203.0.113.9"))
    assert info.value.retry_after == 1 and counting.verified == 5
    assert await log_in(LogIn("ada@example.com", PASSWORD, "198.51.100.4"))  # the real user, elsewhere
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Unauthenticated):  # one more guess after the wait; then two seconds
        await log_in(LogIn("ada@example.com", "wrong guess 3", "203.0.113.9"))
    with pytest.raises(LoginThrottled) as info:
        await log_in(LogIn("ada@example.com", PASSWORD, "203.0.113.9"))
    assert info.value.retry_after == 2 and counting.verified == 7


async def test_a_right_password_clears_the_pairs_failures(app, clock):
    await app.sign_up(sign_up())
    log_in = LogInHandler(app.uow, app.hasher, clock, MemoryLoginThrottle(LoginThrottlePolicy(free_attempts=2)))
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            await log_in(LogIn("ada@example.com", "typo typo typo", "203.0.113.9"))
    clock.advance(timedelta(seconds=1))
    await log_in(LogIn("ada@example.com", PASSWORD, "203.0.113.9"))
    for _ in range(2):  # two free attempts again
        with pytest.raises(Unauthenticated):
            await log_in(LogIn("ada@example.com", "typo typo typo", "203.0.113.9"))


async def test_sessions_expire(app, clock):
    session = await signed_in(app)
    clock.advance(timedelta(days=14) - timedelta(seconds=1))
    await app.authenticate(Authenticate(session_token=session.session_token))
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Unauthenticated):
        await app.authenticate(Authenticate(session_token=session.session_token))


async def test_log_out_ends_the_session_on_the_server_and_leaves_api_tokens_alone(app, uow):
    session = await signed_in(app)
    other = await app.log_in(LogIn("ada@example.com", PASSWORD))
    token = await app.create_api_token(CreateApiToken(session.user_id, "cli"))
    await app.log_out(LogOut(session.session_token))
    with pytest.raises(Unauthenticated):
        await app.authenticate(Authenticate(session_token=session.session_token))
    assert (await app.authenticate(Authenticate(session_token=other.session_token))).user_id == session.user_id
    assert list(uow.state.sessions) == [digest(other.session_token)]
    assert (await app.authenticate(Authenticate(api_token=token.token))).user_id == session.user_id


@pytest.mark.parametrize("command", [
    Authenticate(),
    Authenticate(session_token="made-up"),
    Authenticate(api_token="pw_made-up"),
    Authenticate(api_token="not-a-pw-token"),
])
async def test_unknown_credentials_are_unauthenticated(app, command):
    await app.sign_up(sign_up())
    with pytest.raises(Unauthenticated):
        await app.authenticate(command)


# --- API tokens -------------------------------------------------------------------------

async def test_api_token_is_shown_once_and_stored_hashed(app, uow, clock):
    session = await signed_in(app)
    created = await app.create_api_token(CreateApiToken(session.user_id, "  CI script "))
    assert created.token.startswith("pw_") and len(created.token) > 40 and created.name == "CI script"
    record = uow.state.api_tokens[created.id]
    assert record.token_hash == digest(created.token) and record.user_id == session.user_id
    assert record.created_at == clock.now() and record.last_used_at is None and record.expires_at is None
    assert created.token not in repr(uow.state)
    assert record.prefix == created.token[:8]


async def test_api_token_authenticates_and_records_its_use_at_most_once_a_minute(app, uow, clock):
    session = await signed_in(app)
    created = await app.create_api_token(CreateApiToken(session.user_id, "cli"))
    principal = await app.authenticate(Authenticate(api_token=created.token))
    assert principal.user_id == session.user_id and principal.via == "api_token" and principal.csrf_token is None
    first_use = clock.now()
    assert uow.state.api_tokens[created.id].last_used_at == first_use
    clock.advance(timedelta(seconds=30))
    await app.authenticate(Authenticate(api_token=created.token))
    assert uow.state.api_tokens[created.id].last_used_at == first_use
    clock.advance(timedelta(seconds=31))
    await app.authenticate(Authenticate(api_token=created.token))
    assert uow.state.api_tokens[created.id].last_used_at == clock.now()


async def test_a_revoked_api_token_is_refused(app, uow, clock):
    session = await signed_in(app)
    created = await app.create_api_token(CreateApiToken(session.user_id, "cli"))
    await RevokeApiTokenHandler(uow, clock)(RevokeApiToken(session.user_id, created.id))
    assert uow.state.api_tokens[created.id].revoked_at == clock.now()
    with pytest.raises(Unauthenticated) as info:
        await app.authenticate(Authenticate(api_token=created.token))
    assert "revoked" in str(info.value)
    with pytest.raises(NotFound):  # revoked once
        await RevokeApiTokenHandler(uow, clock)(RevokeApiToken(session.user_id, created.id))


async def test_only_the_owner_revokes_a_token(app, uow, clock):
    ada, eve = await signed_in(app), await signed_in(app, "eve@example.com")
    created = await app.create_api_token(CreateApiToken(ada.user_id, "cli"))
    with pytest.raises(NotFound):
        await RevokeApiTokenHandler(uow, clock)(RevokeApiToken(eve.user_id, created.id))
    assert (await app.authenticate(Authenticate(api_token=created.token))).user_id == ada.user_id


async def test_an_api_token_expires(app, uow, clock):
    session = await signed_in(app)
    created = await app.create_api_token(CreateApiToken(session.user_id, "ci", expires_in_days=7))
    assert created.expires_at == clock.now() + timedelta(days=7)
    clock.advance(timedelta(days=7) - timedelta(seconds=1))
    await app.authenticate(Authenticate(api_token=created.token))
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Unauthenticated) as info:
        await app.authenticate(Authenticate(api_token=created.token))
    assert "expired" in str(info.value)


async def test_tokens_are_listed_newest_first_without_secrets_or_revoked_ones(app, uow, clock):
    session = await signed_in(app)
    old = await app.create_api_token(CreateApiToken(session.user_id, "old", expires_in_days=1))
    clock.advance(timedelta(days=2))
    new = await app.create_api_token(CreateApiToken(session.user_id, "new"))
    gone = await app.create_api_token(CreateApiToken(session.user_id, "gone"))
    await RevokeApiTokenHandler(uow, clock)(RevokeApiToken(session.user_id, gone.id))
    await signed_in(app, "eve@example.com")
    listed = await ListApiTokensHandler(uow, clock)(ListApiTokens(session.user_id))
    assert [(t.name, t.expired) for t in listed] == [("new", False), ("old", True)]
    assert listed[0].id == new.id and listed[1].id == old.id and listed[0].prefix == new.token[:8]
    assert new.token not in repr(listed) and old.token not in repr(listed)


async def test_an_api_token_cannot_mint_tokens(app, uow):
    session = await signed_in(app)
    with pytest.raises(Forbidden):
        await app.create_api_token(CreateApiToken(session.user_id, "child", via_api_token=True))
    assert uow.state.api_tokens == {}


async def test_api_token_name_is_required(app):
    session = await signed_in(app)
    with pytest.raises(InvalidValue) as info:
        await app.create_api_token(CreateApiToken(session.user_id, " "))
    assert info.value.field == "name"


# --- workspaces and actors --------------------------------------------------------------

async def test_resolve_actor_gives_the_members_role(app):
    owner = await app.owner()
    editor = await app.member(owner, "editor")
    assert editor.actor.role is Role.EDITOR and editor.actor.workspace_id == owner.actor.workspace_id
    assert owner.actor.role is Role.OWNER


async def test_a_workspace_the_user_is_not_in_does_not_exist_for_them(app):
    a, b = await app.owner("A"), await app.owner("B")
    with pytest.raises(NotFound):
        await app.resolve_actor(ResolveActor(b.user_id, a.actor.workspace_id))
    with pytest.raises(NotFound):
        await app.resolve_actor(ResolveActor(a.user_id, uuid4()))


async def test_authenticating_for_a_workspace_reads_the_role_there_as_resolve_actor_does(app):
    owner = await app.owner()
    editor = await app.member(owner, "editor")
    stranger = await app.owner("Elsewhere")
    workspace = owner.actor.workspace_id
    token = await app.create_api_token(CreateApiToken(editor.user_id, "script"))

    by_session = await app.authenticate(Authenticate(session_token=editor.session_token, workspace_id=workspace))
    by_token = await app.authenticate(Authenticate(api_token=token.token, workspace_id=workspace))
    outsider = await app.authenticate(Authenticate(session_token=stranger.session_token, workspace_id=workspace))

    for who in (by_session, by_token):
        assert (who.user_id, who.workspace_id, who.role) == (editor.user_id, workspace, Role.EDITOR)
        assert Actor.member(who.user_id, workspace, who.role) == editor.actor
    assert by_session.csrf_token and by_session.via == "session" and by_token.via == "api_token"
    assert (outsider.workspace_id, outsider.role) == (workspace, None)
    with pytest.raises(NotFound):
        Actor.member(outsider.user_id, workspace, outsider.role)
    plain = await app.authenticate(Authenticate(session_token=editor.session_token))
    assert (plain.workspace_id, plain.role) == (None, None)
    with pytest.raises(Unauthenticated):  # a bad credential is refused before any workspace is looked at
        await app.authenticate(Authenticate(session_token="made-up", workspace_id=workspace))


async def test_create_workspace_makes_its_creator_owner(app):
    owner = await app.owner("First")
    workspace = await app.create_workspace(CreateWorkspace(owner.user_id, " Second ", requires_approval=True))
    assert workspace.name == "Second" and workspace.requires_approval is True
    actor = await app.resolve_actor(ResolveActor(owner.user_id, workspace.id))
    assert actor.role is Role.OWNER
    me = await app.get_me(GetMe(owner.user_id))
    assert me.email == owner.email
    assert sorted((w.name, w.role, w.requires_approval) for w in me.workspaces) == [
        ("First", "owner", False), ("Second", "owner", True)]
    with pytest.raises(InvalidValue):
        await app.create_workspace(CreateWorkspace(owner.user_id, ""))


async def test_one_person_owns_at_most_the_cap_of_workspaces(app, uow, clock, ids):
    owner = await app.owner("First")
    create = CreateWorkspaceHandler(uow, clock, ids, max_per_user=3)
    await create(CreateWorkspace(owner.user_id, "Second"))
    await create(CreateWorkspace(owner.user_id, "Third"))
    with pytest.raises(RuleViolated) as info:
        await create(CreateWorkspace(owner.user_id, "Fourth"))
    assert info.value.rule == "workspace_limit" and len(uow.state.workspaces) == 3
    # Joining someone else's workspace (the cap is on owning) is still possible.
    other = await app.owner("Other's")
    invitation = await app.invite_member(InviteMember(other.actor, owner.email, "editor"))
    await app.accept_invitation(AcceptInvitation(owner.user_id, invitation.token))
    assert len((await app.get_me(GetMe(owner.user_id))).workspaces) == 4


async def test_get_me_of_a_deleted_account_is_unauthenticated(app):
    with pytest.raises(Unauthenticated):
        await app.get_me(GetMe(uuid4()))


async def test_a_user_chooses_a_time_zone_and_goes_back_to_the_browsers(app, uow):
    outcome = await app.sign_up(sign_up())
    set_zone = SetTimeZoneHandler(uow)
    assert (await app.get_me(GetMe(outcome.user_id))).time_zone is None  # not chosen at sign-up
    assert await set_zone(SetTimeZone(outcome.user_id, "Europe/Berlin")) == "Europe/Berlin"
    assert (await app.get_me(GetMe(outcome.user_id))).time_zone == "Europe/Berlin"
    await set_zone(SetTimeZone(outcome.user_id, None))
    assert uow.state.users[outcome.user_id].time_zone is None


async def test_an_unknown_zone_is_refused_and_the_saved_one_kept(app, uow):
    outcome = await app.sign_up(sign_up())
    set_zone = SetTimeZoneHandler(uow)
    await set_zone(SetTimeZone(outcome.user_id, "Asia/Tokyo"))
    with pytest.raises(InvalidValue) as info:
        await set_zone(SetTimeZone(outcome.user_id, "Berlin"))
    assert info.value.field == "time_zone"
    assert uow.state.users[outcome.user_id].time_zone == "Asia/Tokyo"


async def test_a_deleted_account_cannot_choose_a_zone(uow):
    with pytest.raises(Unauthenticated):
        await SetTimeZoneHandler(uow)(SetTimeZone(uuid4(), "UTC"))


async def test_owner_updates_workspace_settings(app, uow):
    owner = await app.owner("Old name")
    workspace = await app.update_workspace_settings(
        UpdateWorkspaceSettings(owner.actor, name=" New name ", requires_approval=True))
    assert (workspace.name, workspace.requires_approval) == ("New name", True)
    stored = uow.state.workspaces[owner.actor.workspace_id]
    assert (stored.name, stored.requires_approval) == ("New name", True)
    await app.update_workspace_settings(UpdateWorkspaceSettings(owner.actor, requires_approval=False))
    stored = uow.state.workspaces[owner.actor.workspace_id]
    assert (stored.name, stored.requires_approval) == ("New name", False)
    with pytest.raises(InvalidValue) as info:
        await app.update_workspace_settings(UpdateWorkspaceSettings(owner.actor, name="  "))
    assert info.value.field == "name"


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
async def test_only_owners_manage_the_workspace(app, uow, role):
    owner = await app.owner("Acme")
    someone = await app.member(owner, role)
    with pytest.raises(Forbidden):
        await app.update_workspace_settings(UpdateWorkspaceSettings(someone.actor, name="Hijacked"))
    with pytest.raises(Forbidden):
        await app.invite_member(InviteMember(someone.actor, "x@example.com", "owner"))
    with pytest.raises(Forbidden):
        await app.change_role(ChangeRole(someone.actor, someone.user_id, "owner"))
    assert uow.state.workspaces[owner.actor.workspace_id].name == "Acme"
    assert (await app.resolve_actor(ResolveActor(someone.user_id, owner.actor.workspace_id))).role is Role(role)


# --- invitations ------------------------------------------------------------------------

async def test_invitation_is_accepted_by_the_invited_email(app, uow, clock):
    owner = await app.owner()
    bob = await app.owner("Bob's", email="bob@example.com")
    invitation = await app.invite_member(InviteMember(owner.actor, " BOB@example.com ", "reviewer"))
    assert invitation.expires_at == clock.now() + timedelta(days=7)
    stored = uow.state.invitations[invitation.id]
    assert stored.email == "bob@example.com" and stored.token_hash == digest(invitation.token)
    assert invitation.token not in repr(uow.state)
    membership = await app.accept_invitation(AcceptInvitation(bob.user_id, invitation.token))
    assert membership.role is Role.REVIEWER and membership.workspace_id == owner.actor.workspace_id
    assert uow.state.invitations[invitation.id].accepted_at == clock.now()
    members = await app.list_members(ListMembers(owner.actor))
    assert sorted((m.email, m.role) for m in members) == sorted([(owner.email, "owner"), (bob.email, "reviewer")])


async def test_an_invitation_works_once(app):
    owner = await app.owner()
    bob = await app.owner(email="bob@example.com")
    invitation = await app.invite_member(InviteMember(owner.actor, "bob@example.com", "editor"))
    await app.accept_invitation(AcceptInvitation(bob.user_id, invitation.token))
    with pytest.raises(RuleViolated) as info:
        await app.accept_invitation(AcceptInvitation(bob.user_id, invitation.token))
    assert info.value.rule == "invitation_used"


async def test_another_user_cannot_accept_the_invitation(app, uow):
    owner = await app.owner()
    eve = await app.owner(email="eve@example.com")
    invitation = await app.invite_member(InviteMember(owner.actor, "bob@example.com", "editor"))
    with pytest.raises(RuleViolated) as info:
        await app.accept_invitation(AcceptInvitation(eve.user_id, invitation.token))
    assert info.value.rule == "invitation_email"
    assert (owner.actor.workspace_id, eve.user_id) not in uow.state.memberships
    assert uow.state.invitations[invitation.id].accepted_at is None


async def test_an_expired_invitation_is_refused(app, clock):
    owner = await app.owner()
    bob = await app.owner(email="bob@example.com")
    invitation = await app.invite_member(InviteMember(owner.actor, "bob@example.com", "editor"))
    clock.advance(timedelta(days=7, seconds=1))
    with pytest.raises(RuleViolated) as info:
        await app.accept_invitation(AcceptInvitation(bob.user_id, invitation.token))
    assert info.value.rule == "invitation_expired"


async def test_an_unknown_invitation_token_is_not_found(app):
    bob = await app.owner(email="bob@example.com")
    with pytest.raises(NotFound):
        await app.accept_invitation(AcceptInvitation(bob.user_id, "made-up"))


async def test_members_are_not_invited_again(app):
    owner = await app.owner()
    editor = await app.member(owner, "editor")
    with pytest.raises(RuleViolated) as info:
        await app.invite_member(InviteMember(owner.actor, editor.email.upper(), "viewer"))
    assert info.value.rule == "already_member"


async def test_a_second_invitation_cannot_make_a_member_join_twice(app, uow):
    owner = await app.owner()
    bob = await app.owner(email="bob@example.com")
    first = await app.invite_member(InviteMember(owner.actor, "bob@example.com", "viewer"))
    second = await app.invite_member(InviteMember(owner.actor, "bob@example.com", "owner"))
    await app.accept_invitation(AcceptInvitation(bob.user_id, first.token))
    with pytest.raises(RuleViolated) as info:
        await app.accept_invitation(AcceptInvitation(bob.user_id, second.token))
    assert info.value.rule == "already_member"
    assert uow.state.memberships[(owner.actor.workspace_id, bob.user_id)].role is Role.VIEWER


@pytest.mark.parametrize(("email", "role", "field"), [
    ("bob@example.com", "admin", "role"),
    ("not-an-email", "editor", "email"),
])
async def test_invitation_input_is_validated(app, uow, email, role, field):
    owner = await app.owner()
    with pytest.raises(InvalidValue) as info:
        await app.invite_member(InviteMember(owner.actor, email, role))
    assert info.value.field == field
    assert uow.state.invitations == {}


# --- roles ------------------------------------------------------------------------------

async def test_owner_changes_a_members_role(app, uow):
    owner = await app.owner()
    editor = await app.member(owner, "editor")
    membership = await app.change_role(ChangeRole(owner.actor, editor.user_id, "reviewer"))
    assert membership.role is Role.REVIEWER
    assert uow.state.memberships[(owner.actor.workspace_id, editor.user_id)].role is Role.REVIEWER


async def test_the_last_owner_cannot_step_down_until_another_owner_exists(app, uow):
    owner = await app.owner()
    editor = await app.member(owner, "editor")
    with pytest.raises(RuleViolated) as info:
        await app.change_role(ChangeRole(owner.actor, owner.user_id, "editor"))
    assert info.value.rule == "last_owner"
    assert uow.state.memberships[(owner.actor.workspace_id, owner.user_id)].role is Role.OWNER
    await app.change_role(ChangeRole(owner.actor, editor.user_id, "owner"))
    await app.change_role(ChangeRole(owner.actor, owner.user_id, "viewer"))
    assert uow.state.memberships[(owner.actor.workspace_id, owner.user_id)].role is Role.VIEWER


async def test_change_role_of_someone_outside_the_workspace_is_not_found(app):
    owner, stranger = await app.owner("A"), await app.owner("B")
    with pytest.raises(NotFound):
        await app.change_role(ChangeRole(owner.actor, stranger.user_id, "viewer"))
    with pytest.raises(InvalidValue) as info:
        await app.change_role(ChangeRole(owner.actor, owner.user_id, "superuser"))
    assert info.value.field == "role"


async def test_members_list_only_their_workspace(app):
    a, b = await app.owner("A"), await app.owner("B")
    viewer = await app.member(a, "viewer")
    listed = await app.list_members(ListMembers(viewer.actor))
    assert {m.user_id for m in listed} == {a.user_id, viewer.user_id}
    assert b.user_id not in {m.user_id for m in listed}
