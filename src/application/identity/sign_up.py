"""Sign up: a new user, with their own first workspace (which they own) and/or the workspace an
invitation brings them into.

Rules:
- who may sign up at all is the installation's sign-up mode (`domain.identity.sign_up_policy`);
- the password follows `domain.identity.passwords`, the email's name and the common list included;
- an email that already has an account changes nothing, and the answer does not say so: the
  outcome carries no user, and the API answers it exactly like a new account (nobody is logged
  in by sign-up either way). Only the operator is told plainly that the email is taken.
"""

from __future__ import annotations

from application.identity.commands import SignUp
from application.identity.ports import CommonPasswords, PasswordHasher
from application.identity.results import SignUpOutcome, WorkspaceView
from application.identity.unit_of_work import UnitOfWorkFactory
from application.shared.bearer_secrets import digest
from application.shared.ports import Clock, IdGenerator
from domain.identity.model import Membership, User, Workspace, check_name, normalise_email
from domain.identity.passwords import check_password
from domain.identity.sign_up_policy import SignUpMode, check_sign_up_allowed
from domain.shared.errors import InvalidValue, RuleViolated
from domain.shared.roles import Role


class SignUpHandler:
    def __init__(self, uow: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock, ids: IdGenerator,
                 common_passwords: CommonPasswords, mode: str | SignUpMode = SignUpMode.OPEN) -> None:
        self.uow, self.hasher, self.clock, self.ids = uow, hasher, clock, ids
        self.common_passwords, self.mode = common_passwords, SignUpMode(mode)

    async def __call__(self, cmd: SignUp) -> SignUpOutcome:
        email = normalise_email(cmd.email)
        check_password(cmd.password, email=email, common=self.common_passwords)
        name = check_name(cmd.name, "name")
        own_workspace = bool(cmd.workspace_name) or not cmd.invitation_token
        workspace_name = check_name(cmd.workspace_name, "workspace_name") if own_workspace else None
        # Hashed before anything is looked up, so a taken email costs the same time as a free one.
        password_hash = await self.hasher.hash(cmd.password)
        now = self.clock.now()
        async with self.uow() as uow:
            first_user = await uow.users.none_yet()
            check_sign_up_allowed(self.mode, first_user=first_user, invited=bool(cmd.invitation_token),
                                  by_operator=cmd.by_operator)
            invitation = None
            if cmd.invitation_token:
                invitation = await uow.invitations.by_token_hash(digest(cmd.invitation_token))
                if invitation is None:
                    raise InvalidValue("invitation_token", "is not a valid invitation; ask the workspace owner for a new one")
                invitation.accept(email, now)
            if await uow.users.by_email(email):
                if cmd.by_operator:
                    raise RuleViolated("email_taken", f"an account with {email} exists already")
                return SignUpOutcome(user_id=None)
            user = User(id=self.ids.new(), email=email, name=name, password_hash=password_hash, created_at=now)
            await uow.users.add(user)
            own = None
            if workspace_name is not None:
                workspace = Workspace(id=self.ids.new(), name=workspace_name, requires_approval=False, created_at=now)
                await uow.workspaces.add(workspace)
                await uow.memberships.add(Membership(workspace.id, user.id, Role.OWNER))
                own = WorkspaceView(workspace.id, workspace.name, Role.OWNER.value, workspace.requires_approval)
            if invitation is not None:
                await uow.memberships.add(Membership(invitation.workspace_id, user.id, invitation.role))
                await uow.invitations.update(invitation)
            await uow.commit()
        return SignUpOutcome(user_id=user.id, workspace=own,
                             joined_workspace_id=invitation.workspace_id if invitation else None)
