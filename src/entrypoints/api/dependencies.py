"""Request-scoped dependencies: the container, the caller, and read-your-writes.

Every dependency is `async def`, also those that do not wait for anything: FastAPI runs a plain
`def` dependency in its thread pool, a thread hand-off on each request for a dictionary lookup."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import Depends, Header, Path, Request

from application.identity.commands import Authenticate, ResolveActor
from application.identity.results import Principal
from application.shared.actor import Actor
from application.shared.errors import Forbidden
from application.shared.results import Saved
from domain.shared.errors import InvalidValue
from entrypoints.container import Container

CommandT = TypeVar("CommandT")

SESSION_COOKIE = "pw_session"
CSRF_COOKIE = "pw_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


async def container(request: Request) -> Container:
    return request.app.state.container


ContainerDep = Annotated[Container, Depends(container)]


async def principal(request: Request, c: ContainerDep) -> Principal:
    """A Bearer API token, else the session cookie; cookie sessions must echo the CSRF token on writes.
    On a workspace's path, the caller's role there is read in the same unit of work, for `actor`."""
    workspace_id = _workspace_in_path(request)
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return await c.authenticate()(Authenticate(api_token=authorization[7:].strip(), workspace_id=workspace_id))
    who = await c.authenticate()(Authenticate(session_token=request.cookies.get(SESSION_COOKIE),
                                              workspace_id=workspace_id))
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not who.csrf_token or not hmac.compare_digest(sent, who.csrf_token):
            raise Forbidden(f"missing or wrong {CSRF_HEADER} header: send the value of the {CSRF_COOKIE} cookie")
    return who


def _workspace_in_path(request: Request) -> UUID | None:
    """The path's workspace id, if it has one that reads as a UUID (else the path parameter's own
    validation answers 422 once the caller is authenticated, as for any parameter)."""
    raw = request.path_params.get("workspace_id")
    try:
        return UUID(raw) if raw else None
    except ValueError:
        return None


PrincipalDep = Annotated[Principal, Depends(principal)]


async def actor(workspace_id: Annotated[UUID, Path()], who: PrincipalDep, c: ContainerDep) -> Actor:
    if who.workspace_id == workspace_id:  # the role was read with the session or token
        return Actor.member(who.user_id, workspace_id, who.role)
    return await c.resolve_actor()(ResolveActor(user_id=who.user_id, workspace_id=workspace_id))


ActorDep = Annotated[Actor, Depends(actor)]


async def expected_version(if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> int | None:
    """Optimistic concurrency from the browser: If-Match carries the version (ETag) it loaded."""
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit() and len(value) <= 18):  # a version, not any digits int() might refuse
        raise InvalidValue("If-Match", 'must be the ETag of the version you loaded, e.g. "3"')
    return int(value)


ExpectedVersion = Annotated[int | None, Depends(expected_version)]


async def run(c: Container, handler: Callable[[CommandT], Awaitable[Saved]], command: CommandT) -> Saved:
    """Run a command on an event-sourced aggregate with its handler (`c.edit_post()`), then wait until
    queries show it (read-your-writes)."""
    saved = await handler(command)
    if not await c.projector().wait_for(saved.position):
        raise SavedButNotShown(saved)
    return saved


class SavedButNotShown(Exception):
    """The command succeeded (its event is stored) but projecting it failed and was set aside:
    answered 202 with the id, never as an error, because the change was made."""

    def __init__(self, saved: Saved) -> None:
        super().__init__(f"saved {saved.id} at version {saved.version}; its view is stale until replayed")
        self.saved = saved
