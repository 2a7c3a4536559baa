"""`postwizard token create|list|revoke -u <email>`: a user's personal API tokens, through the
same handlers as `/api/auth/tokens`. Whoever runs these on the server acts as that user."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Optional
from uuid import UUID

import typer
from rich.table import Table

from application.identity.commands import CreateApiToken, ListApiTokens, RevokeApiToken
from application.shared.errors import NotFound
from entrypoints.cli.running import console, run_in_container
from entrypoints.container import Container

token_app = typer.Typer(help="Create, list and revoke personal API tokens.", no_args_is_help=True)

UserOpt = Annotated[str, typer.Option("--user", "-u", help="the token owner's email")]


async def _user_id(c: Container, email: str) -> UUID:
    async with c.uow()() as uow:
        user = await uow.users.by_email(email.strip().lower())
    if user is None:
        raise NotFound("user", email)
    return user.id


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "-"


@token_app.command("create")
def create(
    user: UserOpt,
    name: Annotated[str, typer.Option(help="what the token is for, e.g. 'CI publishing'")],
    expires_in_days: Annotated[Optional[int], typer.Option(help="1 to 3650 [default: never expires]")] = None,
) -> None:
    """Create a token and print it once: store it now (only its hash is kept)."""
    async def work(c: Container) -> None:
        created = await c.create_api_token()(CreateApiToken(await _user_id(c, user), name, expires_in_days))
        console.print(f"token {created.id} ({created.name}), expires {_when(created.expires_at)}:")
        console.out(created.token, highlight=False)

    run_in_container(work, project=False)


@token_app.command("list")
def list_tokens(user: UserOpt) -> None:
    """The user's tokens that are not revoked: never their secrets, only their first characters."""
    async def work(c: Container) -> None:
        table = Table("id", "name", "starts with", "created", "last used", "expires")
        for t in await c.list_api_tokens()(ListApiTokens(await _user_id(c, user))):
            expires = f"{_when(t.expires_at)} (expired)" if t.expired else _when(t.expires_at)
            table.add_row(str(t.id), t.name, t.prefix, _when(t.created_at), _when(t.last_used_at), expires)
        console.print(table)

    run_in_container(work, project=False)


@token_app.command("revoke")
def revoke(token_id: UUID, user: UserOpt) -> None:
    """Revoke a token: every request with it is refused from now on."""
    async def work(c: Container) -> None:
        await c.revoke_api_token()(RevokeApiToken(await _user_id(c, user), token_id))
        console.print(f"revoked {token_id}")

    run_in_container(work, project=False)
