"""Finish an OAuth connection at the callback: the state must exist, be unexpired, and belong to the
same browser session that started it; the code is exchanged (with the PKCE verifier) and the
account becomes a connected channel of the workspace."""

from __future__ import annotations

from application.channels.commands import CompleteOAuthConnect, ConnectedChannel
from application.channels.connecting import attach_account, view
from application.channels.start_oauth_connect import stored_client
from application.channels.unit_of_work import UnitOfWorkFactory
from application.platforms.ports import PlatformDirectory, PlatformError
from application.shared.actor import Actor
from application.shared.bearer_secrets import digest
from application.shared.errors import NotFound
from application.shared.ports import Clock, IdGenerator, TokenCipher
from domain.shared.errors import RuleViolated
from domain.shared.roles import Permission


class CompleteOAuthConnectHandler:
    def __init__(self, uow: UnitOfWorkFactory, platforms: PlatformDirectory, cipher: TokenCipher, clock: Clock,
                 ids: IdGenerator) -> None:
        self.uow, self.platforms, self.cipher, self.clock, self.ids = uow, platforms, cipher, clock, ids

    async def __call__(self, cmd: CompleteOAuthConnect) -> ConnectedChannel:
        async with self.uow() as uow:
            state = await uow.oauth_states.take(digest(cmd.state or ""))
            await uow.commit()
        if state is None or state.expires_at < self.clock.now():
            raise RuleViolated("oauth_state", "this connection attempt is unknown or expired; start connecting again")
        if state.session_hash != digest(cmd.session or ""):
            raise RuleViolated("oauth_state", "this connection was started in another browser session; start again here")
        if cmd.error or not cmd.code:
            raise RuleViolated("oauth_denied", f"the platform did not authorize PostWizard ({cmd.error or 'no code'})")
        adapter = self.platforms.get(state.platform)
        async with self.uow() as uow:
            membership = await uow.memberships.get(state.workspace_id, state.user_id)
            stored = await uow.oauth_clients.get(state.platform, state.base_url, state.redirect_uri)
        if membership is None:
            raise NotFound("workspace", state.workspace_id)
        Actor(state.user_id, state.workspace_id, membership.role).require(Permission.MANAGE_WORKSPACE)
        if stored is None:
            raise RuleViolated("oauth_state", "PostWizard's registration at this platform is gone; start connecting again")
        client = stored_client(stored, self.cipher)
        verifier = self.cipher.decrypt(state.code_verifier_encrypted, context="oauth")
        try:
            credentials = await adapter.exchange_code(state.base_url, client, code=cmd.code, code_verifier=verifier)
            account = await adapter.account(state.base_url, credentials)
            limits = await adapter.limits(state.base_url, credentials)
        except PlatformError as exc:
            raise RuleViolated(f"connect_{exc.reason}", f"{state.platform} refused the connection: {exc.message}") from None
        async with self.uow() as uow:
            channel = await attach_account(uow, self.cipher, self.clock, self.ids, workspace_id=state.workspace_id,
                                           platform=state.platform, base_url=state.base_url, account=account,
                                           credentials=credentials, limits=limits)
            await uow.commit()
        return ConnectedChannel(workspace_id=state.workspace_id, channel=view(channel, self.clock))
