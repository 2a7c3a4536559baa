"""How every `postwizard` subcommand runs its work: against a fresh container, its errors as one
readable line and an exit code instead of a traceback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import typer
from rich.console import Console

from application.captions.ports import CaptionModelError, GenerationRateLimited
from domain.shared.errors import DomainError, InvalidValue, RuleViolated
from entrypoints.bootstrap import bootstrap
from entrypoints.container import Container, shutdown
from entrypoints.settings import Settings

console = Console()


def run_in_container(work: Callable[[Container], Awaitable[int | None]], *, project: bool = True) -> None:
    """Run `work`; `project` applies its events to the read tables before exiting (commands that
    change posts or campaigns), so the API shows them at once. Exits with `work`'s code if it
    returns one, 1 on a refused command."""
    settings = Settings()
    logging.basicConfig(level=logging.WARNING)

    async def main() -> int | None:
        container = bootstrap(settings, run_migrations=True)
        try:
            code = await work(container)
            if project:
                await container.projector().catch_up()
            return code
        finally:
            await shutdown(container)

    try:
        code = asyncio.run(main())
    except (DomainError, CaptionModelError, GenerationRateLimited) as exc:
        console.print(explained(exc))
        raise typer.Exit(1)
    if code:
        raise typer.Exit(code)


def explained(exc: Exception) -> str:
    if isinstance(exc, InvalidValue):
        return f"[red]invalid {exc.field}[/red]: {exc.message}"
    if isinstance(exc, RuleViolated):
        return f"[red]refused ({exc.rule})[/red]: {exc.message}"
    if isinstance(exc, CaptionModelError):
        return f"[red]the caption model could not answer[/red]: {exc.message}; {exc.fix}"
    if isinstance(exc, GenerationRateLimited):
        return f"[red]rate limited[/red]: {exc}"
    return f"[red]error[/red]: {exc}"
