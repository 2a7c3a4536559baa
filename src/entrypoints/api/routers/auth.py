"""Sign up, log in and out, who am I (and my time zone), personal API tokens.

Logging out ends the browser session only: API tokens live on until they expire or are revoked
(`DELETE /api/auth/tokens/{id}`), so scripts keep working when their owner logs out.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from application.identity.commands import CreateApiToken, GetMe, ListApiTokens, LogIn, LogOut, RevokeApiToken, SetTimeZone, SignUp
from application.identity.results import SessionStarted
from entrypoints.api.dependencies import CSRF_COOKIE, SESSION_COOKIE, ContainerDep, PrincipalDep
from entrypoints.api.schemas import (
    ApiTokenIn,
    ApiTokenListedOut,
    ApiTokenOut,
    LogInIn,
    MeOut,
    ProfileIn,
    SessionOut,
    SignUpIn,
    SignUpOut,
)

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _set_cookies(request: Request, response: Response, session: SessionStarted) -> None:
    secure = request.app.state.settings.secure_cookies
    response.set_cookie(SESSION_COOKIE, session.session_token, httponly=True, samesite="lax", secure=secure,
                        path="/", expires=session.expires_at)
    response.set_cookie(CSRF_COOKIE, session.csrf_token, httponly=False, samesite="lax", secure=secure,
                        path="/", expires=session.expires_at)


async def _session_out(c: ContainerDep, session: SessionStarted) -> SessionOut:
    me = MeOut.model_validate(await c.get_me()(GetMe(session.user_id)))
    return SessionOut(user=me, workspaces=me.workspaces, csrf_token=session.csrf_token)


SIGNED_UP = "If this email can be used, its account is ready: log in with it."


@router.post("/signup", response_model=SignUpOut, status_code=202)
async def sign_up(body: SignUpIn, c: ContainerDep) -> SignUpOut:
    """Create an account with its first workspace (or join the workspace of `invitation_token`); then log in.

    The answer is the same whether or not the email already had an account (which is left as it
    was), so sign-up does not tell who has an account here."""
    await c.sign_up()(SignUp(**body.model_dump()))
    return SignUpOut(detail=SIGNED_UP)


@router.post("/login", response_model=SessionOut)
async def log_in(body: LogInIn, request: Request, response: Response, c: ContainerDep) -> SessionOut:
    """Too many wrong attempts for one account from one address, or from one address overall, answer
    429 with Retry-After (the client address is the socket peer, or the proxy's forwarded address
    when uvicorn trusts that proxy)."""
    address = request.client.host if request.client else ""
    session = await c.log_in()(LogIn(**body.model_dump(), client_address=address))
    _set_cookies(request, response, session)
    return await _session_out(c, session)


@router.post("/logout", status_code=204)
async def log_out(request: Request, response: Response, who: PrincipalDep, c: ContainerDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await c.log_out()(LogOut(token))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me", response_model=MeOut)
async def me(who: PrincipalDep, c: ContainerDep) -> MeOut:
    return MeOut.model_validate(await c.get_me()(GetMe(who.user_id)))


@router.patch("/me", response_model=MeOut)
async def update_me(body: ProfileIn, who: PrincipalDep, c: ContainerDep) -> MeOut:
    """Choose the time zone your screens show times in (`null` follows the browser's). It is yours in every
    workspace; posts already scheduled keep the zone they were scheduled in."""
    await c.set_time_zone()(SetTimeZone(user_id=who.user_id, time_zone=body.time_zone))
    return MeOut.model_validate(await c.get_me()(GetMe(who.user_id)))


@router.post("/tokens", response_model=ApiTokenOut, status_code=201)
async def create_token(body: ApiTokenIn, who: PrincipalDep, c: ContainerDep) -> ApiTokenOut:
    """A personal API token for scripts: send it as `Authorization: Bearer pw_...`. Shown once.
    Optionally it expires (`expires_in_days` or `expires_at`). Needs a browser session: an API
    token cannot create tokens."""
    created = await c.create_api_token()(CreateApiToken(user_id=who.user_id, **body.model_dump(),
                                                        via_api_token=who.via == "api_token"))
    return ApiTokenOut(id=created.id, name=created.name, token=created.token, expires_at=created.expires_at)


@router.get("/tokens", response_model=list[ApiTokenListedOut])
async def list_tokens(who: PrincipalDep, c: ContainerDep) -> list[ApiTokenListedOut]:
    """Your API tokens that are not revoked, newest first, with their last use; never their secrets."""
    return [ApiTokenListedOut.model_validate(t) for t in await c.list_api_tokens()(ListApiTokens(who.user_id))]


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(token_id: UUID, who: PrincipalDep, c: ContainerDep) -> Response:
    """Revoke one of your tokens: refused from the next request on. Another user's token is not found."""
    await c.revoke_api_token()(RevokeApiToken(user_id=who.user_id, token_id=token_id))
    return Response(status_code=204)
