"""Sign up, log in and out, who am I, personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from application.identity.commands import CreateApiToken, GetMe, LogIn, LogOut, SignUp
from application.identity.results import SessionStarted
from entrypoints.api.dependencies import CSRF_COOKIE, SESSION_COOKIE, ContainerDep, PrincipalDep
from entrypoints.api.schemas import ApiTokenIn, ApiTokenOut, LogInIn, MeOut, SessionOut, SignUpIn

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _set_cookies(request: Request, response: Response, session: SessionStarted) -> None:
    secure = request.app.state.settings.secure_cookies
    response.set_cookie(SESSION_COOKIE, session.session_token, httponly=True, samesite="lax", secure=secure,
                        path="/", expires=session.expires_at)
    response.set_cookie(CSRF_COOKIE, session.csrf_token, httponly=False, samesite="lax", secure=secure,
                        path="/", expires=session.expires_at)


async def _session_out(c: ContainerDep, session: SessionStarted) -> SessionOut:
    me = await c.get_me()(GetMe(session.user_id))
    return SessionOut(user=MeOut.model_validate(me), workspaces=me.workspaces, csrf_token=session.csrf_token)


@router.post("/signup", response_model=SessionOut, status_code=201)
async def sign_up(body: SignUpIn, request: Request, response: Response, c: ContainerDep) -> SessionOut:
    """Create an account and its first workspace; the new user is logged in."""
    session, _ = await c.sign_up()(SignUp(**body.model_dump()))
    _set_cookies(request, response, session)
    return await _session_out(c, session)


@router.post("/login", response_model=SessionOut)
async def log_in(body: LogInIn, request: Request, response: Response, c: ContainerDep) -> SessionOut:
    session = await c.log_in()(LogIn(**body.model_dump()))
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


@router.post("/tokens", response_model=ApiTokenOut, status_code=201)
async def create_token(body: ApiTokenIn, who: PrincipalDep, c: ContainerDep) -> ApiTokenOut:
    """A personal API token for scripts: send it as `Authorization: Bearer pw_...`. Shown once."""
    created = await c.create_api_token()(CreateApiToken(user_id=who.user_id, name=body.name))
    return ApiTokenOut(id=created.id, name=created.name, token=created.token)
