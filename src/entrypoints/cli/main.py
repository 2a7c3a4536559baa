"""The `postwizard` command line. It calls the same handlers as the API, never the API itself."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime, timedelta, timezone
from typing import Annotated, Optional
from uuid import UUID
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from application.captions.commands import GenerateCaptions
from application.captions.ports import CaptionBrief, Controls
from application.captions.views import Finished, PlatformReady, TextArrived
from application.channels.commands import ConnectWithAppPassword, DisconnectChannel, ListChannels
from application.identity.commands import GetMe, ResolveActor, SignUp
from application.publishing.commands import CalendarRange, CreateDraftPost, GetPost, ListPosts, RetryTarget
from application.shared.actor import Actor
from application.shared.errors import NotFound
from domain.shared.text import refusal, unprintable_character
from entrypoints.bootstrap import bootstrap
from entrypoints.cli.backup import backup, restore
from entrypoints.cli.projections import projections_app
from entrypoints.cli.running import console, run_in_container
from entrypoints.cli.tokens import token_app
from entrypoints.container import Container, shutdown
from entrypoints.database import watch_embedded_server
from entrypoints.settings import Settings
from entrypoints.worker.run import run_worker

app = typer.Typer(help="PostWizard: self-hosted, AI-driven social media manager.", no_args_is_help=True)
user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
post_app = typer.Typer(help="Schedule and list posts.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(post_app, name="post")
channel_app = typer.Typer(help="Connect and list channels.", no_args_is_help=True)
app.add_typer(channel_app, name="channel")
app.add_typer(projections_app, name="projections")
app.add_typer(token_app, name="token")
app.command()(backup)
app.command()(restore)


@app.callback()
def _printable_arguments() -> None:
    """Arguments are user text too: one holding a control character is refused, naming the option."""
    arguments = sys.argv[1:]
    for index, argument in enumerate(arguments):
        character = unprintable_character(argument)
        if character:
            option = argument.split("=", 1)[0] if argument.startswith("--") and "=" in argument else (
                arguments[index - 1] if index and arguments[index - 1].startswith("-") else f"argument {index + 1}")
            console.print(f"[red]{option}: {refusal(character)}[/red]")
            raise typer.Exit(2)

HostOpt = Annotated[Optional[str], typer.Option(help="interface to listen on [default: POSTWIZARD_HOST or 127.0.0.1]")]
PortOpt = Annotated[Optional[int], typer.Option(help="port [default: POSTWIZARD_PORT or 8000]")]
UserOpt = Annotated[str, typer.Option("--user", "-u", help="act as this user (email)")]
WorkspaceOpt = Annotated[Optional[UUID], typer.Option(help="workspace id [default: the user's first]")]


def _logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _serve(host: str | None, port: int | None, *, worker: bool, demo: bool = False) -> None:
    import uvicorn

    from entrypoints.api.access_log import uvicorn_log_config
    from entrypoints.api.app import create_app

    settings = Settings()
    host, port = host or settings.host, port or settings.port
    settings = settings.model_copy(update={"host": host, "port": port})
    if demo:
        settings = settings.model_copy(update={"simulator_url": f"{settings.base_url()}/simulator"})
    _logging(settings)
    container = bootstrap(settings, run_migrations=True)
    console.print(f"PostWizard is running at [bold]{settings.base_url()}[/bold]  (Ctrl-C stops it)")
    if demo:
        console.print("demo mode: every platform is the built-in simulator; connect its sandbox accounts "
                      "on the Channels page")
    watchdog = watch_embedded_server()
    try:
        uvicorn.run(create_app(container, settings, worker=worker, simulator=demo), host=host, port=port,
                    log_level=settings.log_level.lower(), log_config=uvicorn_log_config())
    finally:
        if watchdog:
            watchdog.stop()  # before the embedded server is stopped on exit, so it is not started again


@app.command()
def serve(host: HostOpt = None, port: PortOpt = None,
          demo: Annotated[bool, typer.Option(help="platforms are the built-in simulator (sandbox accounts)")] = False) -> None:
    """Run everything on this machine: API, UI and a publishing worker (embedded PostgreSQL unless configured)."""
    _serve(host, port, worker=True, demo=demo)


@app.command()
def api(host: HostOpt = None, port: PortOpt = None) -> None:
    """Run the API and UI only (scale-out: run workers apart with `postwizard worker`)."""
    _serve(host, port, worker=False)


@app.command()
def worker(name: Annotated[str, typer.Option(help="worker name in logs")] = "worker") -> None:
    """Run a publishing worker (any number, on any machine sharing the database); Ctrl-C or SIGTERM
    lets jobs in flight finish."""
    settings = Settings()
    _logging(settings)

    async def main() -> None:
        container = bootstrap(settings)
        console.print(f"worker {name} running (Ctrl-C stops it)")
        try:
            await run_worker(container, install_signal_handlers=True, name=name)
        finally:
            await shutdown(container)

    asyncio.run(main())
    console.print("worker stopped")


@app.command()
def simulator(host: HostOpt = None, port: Annotated[int, typer.Option(help="port")] = 8100) -> None:
    """Run the platform simulator alone (Mastodon, Bluesky and X APIs with sandbox accounts)."""
    import uvicorn

    from entrypoints.simulator.app import create_simulator_app

    console.print(f"simulator at http://{host or '127.0.0.1'}:{port}  (control API at /_control, docs at /_docs)")
    uvicorn.run(create_simulator_app(), host=host or "127.0.0.1", port=port, log_level="warning")


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (safe to run again)."""
    settings = Settings()
    _logging(settings)

    async def main() -> None:
        await shutdown(bootstrap(settings, run_migrations=True))

    asyncio.run(main())
    console.print("database is up to date")


async def _actor(c: Container, email: str, workspace: UUID | None) -> Actor:
    async with c.uow()() as uow:
        user = await uow.users.by_email(email.strip().lower())
    if user is None:
        raise NotFound("user", email)
    me = await c.get_me()(GetMe(user.id))
    if workspace is None:
        if not me.workspaces:
            raise NotFound("workspace of", email)
        workspace = me.workspaces[0].id
    return await c.resolve_actor()(ResolveActor(user.id, workspace))


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(prompt=True)],
    name: Annotated[str, typer.Option(prompt=True)],
    workspace_name: Annotated[str, typer.Option(prompt="Workspace name")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Create a user with their first workspace (they own it), whatever POSTWIZARD_SIGNUP says."""
    async def work(c: Container) -> None:
        created = await c.sign_up()(SignUp(email=email, password=password, name=name, workspace_name=workspace_name,
                                           by_operator=True))
        ws = created.workspace
        assert ws is not None  # a sign-up that names a workspace creates it, or raises
        console.print(f"created {email}, owner of workspace {ws.name} ({ws.id})")

    run_in_container(work)


@post_app.command("schedule")
def post_schedule(
    user: UserOpt,
    text: Annotated[str, typer.Option(help="the post's text")],
    channel: Annotated[list[UUID], typer.Option(help="target channel id (repeat for several)")],
    at: Annotated[datetime, typer.Option(help="wall-clock time in --timezone, e.g. 2026-12-01T09:00")],
    tz: Annotated[str, typer.Option("--timezone", help="IANA zone, e.g. Europe/Paris")],
    campaign: Annotated[Optional[UUID], typer.Option(help="campaign id")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Create a post and schedule it, in one step (nothing is stored if it cannot be scheduled)."""
    async def work(c: Container) -> None:
        actor = await _actor(c, user, workspace)
        saved = await c.create_draft_post()(CreateDraftPost(actor=actor, text=text, channel_ids=list(channel),
                                                            campaign_id=campaign, schedule_at=at, timezone=tz))
        console.print(f"scheduled post {saved.id} for {at.isoformat(timespec='minutes')} {tz}")

    run_in_container(work)


@post_app.command("list")
def post_list(
    user: UserOpt,
    workspace: WorkspaceOpt = None,
    days: Annotated[int, typer.Option(help="show the calendar for the next N days", min=1, max=91)] = 30,
    status: Annotated[Optional[str], typer.Option(help="list posts in this status instead of the calendar")] = None,
) -> None:
    """Show the upcoming calendar (or posts by status)."""
    async def work(c: Container) -> None:
        actor = await _actor(c, user, workspace)
        await c.projector().catch_up()
        table = Table()
        if status:
            for col in ("post", "status", "state", "scheduled (UTC)", "text"):
                table.add_column(col)
            for p in (await c.list_posts()(ListPosts(actor, status=status, limit=200))).posts:
                table.add_row(str(p.id), p.status, p.publish_state, str(p.scheduled_at or "-"), p.text[:50])
        else:
            now = datetime.now(timezone.utc)
            for col in ("when", "zone", "platform", "state", "post", "text"):
                table.add_column(col)
            for e in await c.calendar_range()(CalendarRange(actor, now - timedelta(days=1), now + timedelta(days=days))):
                local = e.scheduled_at.astimezone(ZoneInfo(e.timezone)) if e.timezone else e.scheduled_at
                table.add_row(local.strftime("%Y-%m-%d %H:%M"), e.timezone or "UTC", e.platform, e.state,
                              str(e.post_id), e.preview[:50])
        console.print(table)

    run_in_container(work)


@post_app.command("show")
def post_show(post_id: UUID, user: UserOpt, workspace: WorkspaceOpt = None) -> None:
    """A post's targets (state, link, failure and what to do) and its history."""
    async def work(c: Container) -> None:
        actor = await _actor(c, user, workspace)
        await c.projector().catch_up()
        post = await c.get_post()(GetPost(actor, post_id))
        console.print(f"[bold]{post.status}[/bold] ({post.publish_state})  {post.text[:80]}")
        targets = Table("channel", "platform", "state", "attempts", "link / failure")
        for t in post.targets:
            detail = t.url or (f"{t.failure['reason']}: {t.failure['message']} -> {t.failure['fix']}" if t.failure else "")
            targets.add_row(str(t.channel_id), t.platform, t.state, str(t.attempts), detail)
        console.print(targets)
        history = Table("v", "when (UTC)", "event", "by")
        for h in post.history or []:
            history.add_row(str(h.version), h.at.strftime("%Y-%m-%d %H:%M:%S"), h.event, str(h.actor_id or "worker"))
        console.print(history)

    run_in_container(work)


@post_app.command("retry")
def post_retry(post_id: UUID, channel: Annotated[UUID, typer.Option(help="the failed target's channel id")],
               user: UserOpt, workspace: WorkspaceOpt = None) -> None:
    """Retry a failed target now (safe: a target is never posted twice)."""
    async def work(c: Container) -> None:
        actor = await _actor(c, user, workspace)
        await c.retry_target()(RetryTarget(actor, post_id, channel))
        console.print("retry scheduled: a worker publishes it within seconds")

    run_in_container(work)


@channel_app.command("list")
def channel_list(user: UserOpt, workspace: WorkspaceOpt = None) -> None:
    """The workspace's channels with their token health."""
    async def work(c: Container) -> None:
        actor = await _actor(c, user, workspace)
        table = Table("id", "platform", "handle", "health")
        for ch in await c.list_channels()(ListChannels(actor)):
            table.add_row(ch.id, ch.platform, ch.handle, ch.health)
        console.print(table)

    run_in_container(work)


@channel_app.command("connect-bluesky")
def channel_connect_bluesky(
    user: UserOpt,
    identifier: Annotated[str, typer.Option(help="Bluesky handle or email")],
    app_password: Annotated[str, typer.Option(prompt=True, hide_input=True, help="an app password (Settings > App passwords)")],
    service_url: Annotated[Optional[str], typer.Option(help="your PDS, if not bsky.social")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Connect a Bluesky account with an app password (Mastodon and X connect in the browser)."""
    async def work(c: Container) -> None:
        actor = await _actor(c, user, workspace)
        ch = await c.connect_with_app_password()(ConnectWithAppPassword(actor, "bluesky", identifier, app_password, service_url))
        console.print(f"connected {ch.handle} ({ch.id}), health {ch.health}")

    run_in_container(work)


@channel_app.command("disconnect")
def channel_disconnect(channel_id: UUID, user: UserOpt, workspace: WorkspaceOpt = None) -> None:
    """Forget a channel's tokens; its posts keep their history."""
    async def work(c: Container) -> None:
        actor = await _actor(c, user, workspace)
        await c.disconnect_channel()(DisconnectChannel(actor, channel_id))
        console.print("disconnected")

    run_in_container(work)


if __name__ == "__main__":
    app()


@app.command()
def caption(
    user: UserOpt,
    topic: Annotated[str, typer.Option(help="what the post is about")],
    platform: Annotated[list[str], typer.Option(help="platform to write for (repeat for several)")],
    key_message: Annotated[str, typer.Option(help="the one thing readers should take away")] = "",
    link: Annotated[Optional[str], typer.Option(help="link to include (the campaign's UTM parameters are added)")] = None,
    call_to_action: Annotated[str, typer.Option(help="what readers should do")] = "",
    campaign: Annotated[Optional[UUID], typer.Option(help="campaign id (brand voice, UTM defaults)")] = None,
    alternatives: Annotated[int, typer.Option(help="variants per platform (1-5)")] = 1,
    language: Annotated[str, typer.Option(help="language tag, e.g. en, fr, pt-BR")] = "en",
    tone: Annotated[Optional[str], typer.Option(help="tone for this request (default: the brand voice's)")] = None,
    length: Annotated[str, typer.Option(help="short, medium or long")] = "medium",
    emoji: Annotated[bool, typer.Option(help="allow emoji")] = True,
    hashtags: Annotated[bool, typer.Option(help="allow hashtags")] = True,
    media: Annotated[int, typer.Option(help="images or videos the post will carry")] = 0,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write captions with the configured model, streamed as they are written; every variant
    printed passes its platform's rules."""
    async def work(c: Container) -> None:
        actor = await _actor(c, user, workspace)
        handler = c.generate_captions()
        job = await handler.prepare(GenerateCaptions(
            actor=actor, brief=CaptionBrief(topic=topic, key_message=key_message, link=link,
                                            call_to_action=call_to_action),
            platforms=list(platform), campaign_id=campaign, language=language,
            controls=Controls(tone=tone, length=length, emoji=emoji, hashtags=hashtags),
            alternatives=alternatives, media_count=media))
        writing = None
        async for event in handler.run(job, stream=True):
            if isinstance(event, TextArrived):
                if event.platform != writing:
                    writing = event.platform
                    console.print(f"\n[dim]writing for {writing}…[/dim]")
                console.out(event.text, end="", style="dim", highlight=False)
            elif isinstance(event, PlatformReady):
                table = Table(title=f"\n{event.captions.platform}", show_lines=True)
                for column in ("#", "caption", "length", "source"):
                    table.add_column(column)
                for i, v in enumerate(event.captions.variants, 1):
                    source = v.source if not v.changes else f"{v.source}: " + "; ".join(v.changes)
                    table.add_row(str(i), v.text, f"{v.length}/{v.limit}", source)
                console.print(table)
            elif isinstance(event, Finished):
                usage = event.result.usage
                console.print(f"{event.result.model}: {usage.prompt_tokens} prompt + "
                              f"{usage.completion_tokens} completion tokens")
    run_in_container(work)
