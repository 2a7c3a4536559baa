"""Connect Bluesky with an app password (handle or email); the password itself is never stored,
only the session tokens the PDS returns. The password goes to the PDS only after the SSRF guard
allowed it; a PDS that cannot be reached or does not answer as one is "could not reach that server"
on `service_url`, and only a refused login keeps its own message."""

from __future__ import annotations

from application.channels.commands import ChannelView, ConnectWithAppPassword
from application.channels.connecting import attach_account, checked_base_url, unreachable, view
from application.channels.ports import ServerGuard
from application.channels.unit_of_work import UnitOfWorkFactory
from application.platforms.ports import PlatformDirectory, PlatformError
from application.shared.ports import Clock, IdGenerator, TokenCipher
from domain.channels.channel import parse_platform
from domain.publishing.states import FailureReason
from domain.shared.errors import InvalidValue, RuleViolated
from domain.shared.roles import Permission


class ConnectWithAppPasswordHandler:
    def __init__(self, uow: UnitOfWorkFactory, platforms: PlatformDirectory, cipher: TokenCipher, clock: Clock,
                 ids: IdGenerator, servers: ServerGuard) -> None:
        self.uow, self.platforms, self.cipher, self.clock, self.ids = uow, platforms, cipher, clock, ids
        self.servers = servers

    async def __call__(self, cmd: ConnectWithAppPassword) -> ChannelView:
        cmd.actor.require(Permission.MANAGE_WORKSPACE)
        platform = parse_platform(cmd.platform).value
        adapter = self.platforms.get(platform)
        if adapter.auth != "app_password":
            raise InvalidValue("platform", f"{platform} connects through OAuth; use the connect link")
        if not cmd.identifier.strip():
            raise InvalidValue("identifier", "enter your handle or email")
        if not cmd.app_password:
            raise InvalidValue("app_password", "create an app password in the platform's settings and paste it here")
        base_url = await checked_base_url(self.platforms, self.servers, platform, cmd.service_url, "service_url")
        try:
            credentials = await adapter.log_in(base_url, cmd.identifier.strip(), cmd.app_password)
        except PlatformError as exc:
            if exc.reason is FailureReason.AUTH_EXPIRED:  # the server answered, and refused the login
                raise RuleViolated(f"connect_{exc.reason}", exc.message) from None
            raise unreachable("service_url", platform, base_url, exc) from None
        try:
            account = await adapter.account(base_url, credentials)
            limits = await adapter.limits(base_url, credentials)
        except PlatformError as exc:
            raise unreachable("service_url", platform, base_url, exc) from None
        async with self.uow() as uow:
            channel = await attach_account(uow, self.cipher, self.clock, self.ids, workspace_id=cmd.actor.workspace_id,
                                           platform=platform, base_url=base_url, account=account,
                                           credentials=credentials, limits=limits)
            await uow.commit()
        return view(channel, self.clock)
