"""Start connecting an OAuth platform: register PostWizard at the instance when needed (Mastodon),
then hand back the platform's authorization URL with PKCE and a single-use state bound to the
caller's session.

The instance is contacted only after the SSRF guard allowed it; an instance that cannot be reached or
does not answer the registration as Mastodon does is "could not reach that server" on `instance_url`.
The authorization URL is built from that checked base URL; of the instance's answer only a client id
of token characters is used."""

from __future__ import annotations

from datetime import timedelta

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from application.channels.commands import StartOAuthConnect
from application.channels.connecting import checked_base_url, unreachable
from application.channels.ports import OAuthState, ServerGuard, StoredOAuthClient
from application.channels.unit_of_work import UnitOfWorkFactory
from application.platforms.ports import OAuthClient, PlatformDirectory, PlatformError
from application.shared.bearer_secrets import digest
from application.shared.ports import Clock, TokenCipher
from domain.channels.channel import parse_platform
from domain.shared.errors import InvalidValue
from domain.shared.roles import Permission

STATE_LIFETIME = timedelta(minutes=15)


class StartOAuthConnectHandler:
    def __init__(self, uow: UnitOfWorkFactory, platforms: PlatformDirectory, cipher: TokenCipher, clock: Clock,
                 servers: ServerGuard) -> None:
        self.uow, self.platforms, self.cipher, self.clock, self.servers = uow, platforms, cipher, clock, servers

    async def __call__(self, cmd: StartOAuthConnect) -> str:
        cmd.actor.require(Permission.MANAGE_WORKSPACE)
        platform = parse_platform(cmd.platform).value
        adapter = self.platforms.get(platform)
        if adapter.auth != "oauth":
            raise InvalidValue("platform", f"{platform} connects with an app password, not OAuth")
        field = "instance_url" if cmd.instance_url else "platform"
        base_url = await checked_base_url(self.platforms, self.servers, platform, cmd.instance_url, field)
        try:
            client = await self._client(platform, base_url, cmd.redirect_uri, adapter)
        except PlatformError as exc:
            raise unreachable(field, platform, base_url, exc) from None
        state, verifier = generate_token(32), generate_token(64)
        async with self.uow() as uow:
            await uow.oauth_states.add(OAuthState(
                state_hash=digest(state), session_hash=digest(cmd.session), user_id=cmd.actor.user_id,
                workspace_id=cmd.actor.workspace_id, platform=platform, base_url=base_url,
                redirect_uri=cmd.redirect_uri, code_verifier_encrypted=self.cipher.encrypt(verifier, context="oauth"),
                expires_at=self.clock.now() + STATE_LIFETIME))
            await uow.commit()
        return adapter.authorization_url(base_url, client, state=state,
                                         code_challenge=create_s256_code_challenge(verifier))

    async def _client(self, platform: str, base_url: str, redirect_uri: str, adapter) -> OAuthClient:
        """PostWizard's OAuth client at this platform: registered once per instance and redirect URI."""
        async with self.uow() as uow:
            stored = await uow.oauth_clients.get(platform, base_url, redirect_uri)
        if stored is None:
            client = await adapter.register_client(base_url, redirect_uri)
            stored = StoredOAuthClient(
                platform=platform, base_url=base_url, redirect_uri=redirect_uri, client_id=client.client_id,
                client_secret_encrypted=self.cipher.encrypt(client.client_secret, context="oauth-client")
                if client.client_secret else None, created_at=self.clock.now())
            async with self.uow() as uow:
                stored = await uow.oauth_clients.add(stored)  # a concurrent registration may have won: use what is stored
                await uow.commit()
        return stored_client(stored, self.cipher)


def stored_client(stored: StoredOAuthClient, cipher: TokenCipher) -> OAuthClient:
    secret = cipher.decrypt(stored.client_secret_encrypted, context="oauth-client") \
        if stored.client_secret_encrypted else None
    return OAuthClient(client_id=stored.client_id, client_secret=secret, redirect_uri=stored.redirect_uri)
