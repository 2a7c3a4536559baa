"""Invite someone by email with a role (owners only); the link's token is shown once."""

from __future__ import annotations

from datetime import timedelta

from application.identity.commands import InviteMember
from application.identity.results import InvitationCreated
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.bearer_secrets import digest, new_secret
from application.shared.ports import Clock, IdGenerator
from domain.identity.model import Invitation, normalise_email
from domain.shared.errors import InvalidValue, RuleViolated
from domain.shared.roles import Permission, Role

INVITATION_LIFETIME = timedelta(days=7)


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidValue("role", f"must be one of {', '.join(r.value for r in Role)}") from None


class InviteMemberHandler:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator) -> None:
        self.uow, self.clock, self.ids = uow, clock, ids

    async def __call__(self, cmd: InviteMember) -> InvitationCreated:
        cmd.actor.require(Permission.MANAGE_WORKSPACE)
        email, role = normalise_email(cmd.email), parse_role(cmd.role)
        token = new_secret()
        async with self.uow() as uow:
            user = await uow.users.by_email(email)
            if user and await uow.memberships.get(cmd.actor.workspace_id, user.id):
                raise RuleViolated("already_member", f"{email} is already a member of this workspace")
            invitation = Invitation(id=self.ids.new(), workspace_id=cmd.actor.workspace_id, email=email, role=role,
                                    token_hash=digest(token), invited_by=cmd.actor.user_id,
                                    expires_at=self.clock.now() + INVITATION_LIFETIME)
            await uow.invitations.add(invitation)
            await uow.commit()
        return InvitationCreated(id=invitation.id, token=token, expires_at=invitation.expires_at)
