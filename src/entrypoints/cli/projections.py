"""`postwizard projections status|replay`: see how far the read tables are behind the event log,
which events were set aside and why, and apply them again once the cause is fixed."""

from __future__ import annotations

from typing import Annotated, Optional
from uuid import UUID

import typer
from rich.progress import Progress

from entrypoints.cli.running import console, run_in_container
from entrypoints.container import Container

projections_app = typer.Typer(help="Inspect the read tables' projection and replay set-aside events.",
                              no_args_is_help=True)


@projections_app.command("status")
def status(limit: Annotated[int, typer.Option(min=1, max=10_000, help="set-aside events to list")] = 50) -> None:
    """Position, lag and the set-aside events (position, aggregate, event, error). Exit code 1 if any."""

    async def work(c: Container) -> int:
        projector = c.projector()
        state = await projector.status()
        console.print(f"read models at position {state.position} of {state.head} (lag {state.lag}); "
                      f"{state.set_aside} event(s) set aside")
        events = await projector.set_aside_events(limit)
        for e in events:  # one line each, ids whole so they can be copied into `replay --aggregate`
            console.print(f"position {e.position}  aggregate {e.aggregate_id}  version {e.version}  "
                          f"{e.topic.rsplit('.', 1)[-1]}  set aside {e.set_aside_at:%Y-%m-%d %H:%M:%S}\n  {e.error}",
                          soft_wrap=True, highlight=False)
        if events:
            console.print("fix the cause, then run `postwizard projections replay`")
        return 1 if state.set_aside else 0

    run_in_container(work, project=False)


@projections_app.command("replay")
def replay(aggregate: Annotated[Optional[UUID], typer.Option(help="only this aggregate's events")] = None) -> None:
    """Apply set-aside events again, oldest aggregate first. Exit code 1 if any still fail."""

    async def work(c: Container) -> int:
        projector = c.projector()
        total = (await projector.status()).set_aside
        failed = replayed = 0
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("replaying", total=total or None)
            async for outcome in projector.replay(aggregate):
                progress.advance(task, outcome.events)
                if outcome.error:
                    failed += 1
                    console.print(f"[red]{outcome.aggregate_id}[/red]: still failing: {outcome.error}")
                else:
                    replayed += outcome.events
        console.print(f"replayed {replayed} event(s); {failed} aggregate(s) still set aside")
        return 1 if failed else 0

    run_in_container(work, project=False)
