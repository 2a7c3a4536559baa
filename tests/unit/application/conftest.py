"""Channel connection, token and publishing handlers wired to fake platforms (tests/unit/fakes.py),
a real AES-GCM cipher with a key file in tmp_path, and the in-memory adapters of tests/unit/conftest.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from uuid import UUID

import pytest

from adapters.publishing.media_store import FileMediaStore
from adapters.publishing.pillow_images import PillowImages
from adapters.shared.token_cipher import AesGcmTokenCipher, load_or_create_key
from application.channels.commands import CompleteOAuthConnect, ConnectWithAppPassword, StartOAuthConnect
from application.channels.complete_oauth_connect import CompleteOAuthConnectHandler
from application.channels.connect_with_app_password import ConnectWithAppPasswordHandler
from application.channels.disconnect_channel import DisconnectChannelHandler
from application.channels.refresh_tokens import RefreshDueTokensHandler, TokenKeeper
from application.channels.start_oauth_connect import StartOAuthConnectHandler
from application.platforms.ports import Account
from application.publishing.publish_target import PublishTargetHandler
from application.publishing.retry_target import RetryTargetHandler
from tests.unit.fakes import FakeDirectory, FakePlatform, FakeServerGuard, MemoryJobQueue

REDIRECT = "https://postwizard.example/channels/callback"
INSTANCE = "https://mastodon.example"
_accounts = count(1)


def account(handle: str | None = None) -> Account:
    n = next(_accounts)
    handle = handle or f"acct{n}"
    return Account(remote_id=f"remote-{n}", handle=handle, display_name=f"Account {n}")


@dataclass
class Kit:
    """The handlers under test and the fakes they talk to."""

    mastodon: FakePlatform
    bluesky: FakePlatform
    x: FakePlatform
    directory: FakeDirectory
    servers: FakeServerGuard
    cipher: AesGcmTokenCipher
    keeper: TokenKeeper
    start_oauth: StartOAuthConnectHandler
    complete_oauth: CompleteOAuthConnectHandler
    connect_password: ConnectWithAppPasswordHandler
    disconnect: DisconnectChannelHandler
    refresh_due: RefreshDueTokensHandler
    jobs: MemoryJobQueue
    publish: PublishTargetHandler
    retry: RetryTargetHandler

    async def connect_oauth(self, member, who: Account | None = None, platform: str = "mastodon",
                            instance: str | None = INSTANCE, session: str = "browser-session") -> UUID:
        """The whole OAuth dance: start, consent at the platform, callback. Returns the channel id."""
        who = who or account()
        url = await self.start_oauth(StartOAuthConnect(member.actor, platform, REDIRECT, session, instance))
        state, code = self.directory.get(platform).consent(url, who)
        connected = await self.complete_oauth(CompleteOAuthConnect(session=session, state=state, code=code))
        return UUID(connected.channel.id)

    async def connect_bluesky(self, member, who: Account | None = None, password: str = "app-pass-1234") -> UUID:
        who = who or account(f"user{next(_accounts)}.bsky.social")
        self.bluesky.add_app_password(who.handle, password, who)
        view = await self.connect_password(ConnectWithAppPassword(member.actor, "bluesky", who.handle, password))
        return UUID(view.id)


@pytest.fixture
def cipher(tmp_path) -> AesGcmTokenCipher:
    return AesGcmTokenCipher(load_or_create_key(None, tmp_path / "k"))


@pytest.fixture
def kit(store, uow, clock, ids, cipher, tmp_path) -> Kit:
    mastodon = FakePlatform(clock, "mastodon", "oauth")
    bluesky = FakePlatform(clock, "bluesky", "app_password", token_lifetime=timedelta(hours=2), refreshable=True)
    x = FakePlatform(clock, "x", "oauth", token_lifetime=timedelta(hours=2), refreshable=True,
                     rotate_refresh_tokens=False)
    directory, servers = FakeDirectory(mastodon, bluesky, x), FakeServerGuard()
    keeper, jobs = TokenKeeper(uow, directory, cipher, clock), MemoryJobQueue()
    return Kit(
        mastodon=mastodon, bluesky=bluesky, x=x, directory=directory, servers=servers, cipher=cipher, keeper=keeper,
        start_oauth=StartOAuthConnectHandler(uow, directory, cipher, clock, servers),
        complete_oauth=CompleteOAuthConnectHandler(uow, directory, cipher, clock, ids),
        connect_password=ConnectWithAppPasswordHandler(uow, directory, cipher, clock, ids, servers),
        disconnect=DisconnectChannelHandler(uow, clock),
        refresh_due=RefreshDueTokensHandler(uow, keeper, clock), jobs=jobs,
        publish=PublishTargetHandler(store, uow, directory, keeper, clock, ids, FileMediaStore(tmp_path / "media"),
                                     PillowImages(), jobs),
        retry=RetryTargetHandler(store, clock),
    )
