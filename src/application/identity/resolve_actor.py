"""Resolve the caller's role in a workspace; a workspace they are not in does not exist for them."""

from __future__ import annotations

from application.identity.commands import ResolveActor
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.actor import Actor


class ResolveActorHandler:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    async def __call__(self, cmd: ResolveActor) -> Actor:
        async with self.uow() as uow:
            membership = await uow.memberships.get(cmd.workspace_id, cmd.user_id)
        return Actor.member(cmd.user_id, cmd.workspace_id, membership.role if membership else None)
