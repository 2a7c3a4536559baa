"""Sign up: a new user with their first workspace, of which they are the owner; logged in at once."""

from __future__ import annotations

from application.identity.commands import SignUp
from application.identity.ports import PasswordHasher
from application.identity.results import SessionStarted
from application.identity.sessions import start_session
from application.shared.ports import Clock, IdGenerator
from application.shared.unit_of_work import UnitOfWorkFactory
from domain.identity.model import Membership, User, Workspace, check_name, check_password, normalise_email
from domain.shared.errors import RuleViolated
from domain.shared.roles import Role


class SignUpHandler:
    def __init__(self, uow: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock, ids: IdGenerator) -> None:
        self.uow, self.hasher, self.clock, self.ids = uow, hasher, clock, ids

    async def __call__(self, cmd: SignUp) -> tuple[SessionStarted, Workspace]:
        email = normalise_email(cmd.email)
        check_password(cmd.password)
        name = check_name(cmd.name, "name")
        workspace_name = check_name(cmd.workspace_name, "workspace_name")
        password_hash = await self.hasher.hash(cmd.password)
        async with self.uow() as uow:
            if await uow.users.by_email(email):
                raise RuleViolated("email_taken", "an account with this email exists; log in instead")
            now = self.clock.now()
            user = User(id=self.ids.new(), email=email, name=name, password_hash=password_hash, created_at=now)
            workspace = Workspace(id=self.ids.new(), name=workspace_name, requires_approval=False, created_at=now)
            await uow.users.add(user)
            await uow.workspaces.add(workspace)
            await uow.memberships.add(Membership(workspace.id, user.id, Role.OWNER))
            session = await start_session(uow, self.clock, user.id)
            await uow.commit()
        return session, workspace
