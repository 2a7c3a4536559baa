"""Benchmark: one brief to three platforms with the embedded caption model, streamed.

    .venv/bin/python benchmarks/captions.py [--runs 5] [--platforms x bluesky mastodon] [--alternatives 1]

Prints one JSON document to stdout (progress goes to stderr). Runs the real caption handler
(`GenerateCaptionsHandler.run(stream=True)`) with the embedded model: llama.cpp through
xllamacpp, loaded once (its load time is reported apart), spoken to over the OpenAI protocol on
loopback. The usage ledger and campaign reader are in-memory: this measures the model path.

Per run: time to the first streamed token, total time until every platform's variants are
checked, completion tokens and tokens per second, and which variants the model wrote, the model
repaired, or the fallback had to cut. Medians over the runs; the goal is a full set of three
platforms in under 10 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from harness import Progress, log, machine, rerun  # noqa: E402, I001

from adapters.captions.configured import build_caption_generator  # noqa: E402
from adapters.captions.examples import NoEngagementYet  # noqa: E402
from adapters.shared.clock import SystemClock  # noqa: E402
from application.captions.commands import GenerateCaptions  # noqa: E402
from application.captions.generate_captions import GenerateCaptionsHandler  # noqa: E402
from application.captions.ports import CaptionBrief, Controls, Usage  # noqa: E402
from application.captions.views import Finished, TextArrived  # noqa: E402
from application.shared.actor import Actor  # noqa: E402
from domain.shared.roles import Role  # noqa: E402

GOAL_SECONDS = 10.0
BRIEF = CaptionBrief(topic="Our bakery opens on Saturday", key_message="Fresh sourdough every morning",
                     link="https://bakery.example/open", call_to_action="Come by and taste")


class _Ledger:
    async def begin(self, workspace_id, at, limit_per_hour):
        return uuid.uuid4()

    async def finish(self, generation_id, at, model, usage: Usage, outcome):
        pass


class _NoCampaigns:
    async def get(self, workspace_id, campaign_id):
        return None


async def _one(handler: GenerateCaptionsHandler, command: GenerateCaptions) -> dict:
    start = time.perf_counter()
    first = None
    job = await handler.prepare(command)
    async for event in handler.run(job, stream=True):
        if isinstance(event, TextArrived) and first is None:
            first = time.perf_counter() - start
        elif isinstance(event, Finished):
            total = time.perf_counter() - start
            sources = Counter(v.source for p in event.result.platforms for v in p.variants)
            usage = event.result.usage
            return {"first_token_s": round(first or total, 3), "total_s": round(total, 3),
                    "completion_tokens": usage.completion_tokens, "prompt_tokens": usage.prompt_tokens,
                    "tokens_per_s": round(usage.completion_tokens / total, 1), "sources": dict(sources),
                    "variants": [{"platform": v.platform, "length": v.length, "limit": v.limit, "source": v.source,
                                  "text": v.text} for p in event.result.platforms for v in p.variants]}
    raise AssertionError("no result")


async def main(args: argparse.Namespace) -> int:
    generator = build_caption_generator(base_url=None, api_key=None, model="", api_version=None, structured=None,
                                        timeout=120, max_retries=0, threads=args.threads)
    handler = GenerateCaptionsHandler(generator, _NoCampaigns(), _Ledger(), NoEngagementYet(), SystemClock(),
                                      limit_per_hour=10_000)
    command = GenerateCaptions(actor=Actor(uuid.uuid4(), uuid.uuid4(), Role.OWNER), brief=BRIEF,
                               platforms=args.platforms, alternatives=args.alternatives,
                               controls=Controls(tone="warm", length=args.length))
    log("loading the embedded model ...")
    start = time.perf_counter()
    base_url = await generator.warm_up()  # load apart from the measured runs
    load_s = time.perf_counter() - start
    log(f"loaded in {load_s:.2f} s at {base_url}")
    await _one(handler, command)  # warm-up: first-request allocations
    progress = Progress("captions", args.runs)
    runs = []
    for i in range(args.runs):
        runs.append(await _one(handler, command))
        progress.update(i + 1, f"{runs[-1]['total_s']:.2f} s")
    progress.close()
    await generator.aclose()
    total = statistics.median(r["total_s"] for r in runs)
    out = {
        "benchmark": "captions",
        "model": generator.model_name,
        "platforms": args.platforms,
        "alternatives": args.alternatives,
        "runs": args.runs,
        "load_s": round(load_s, 3),
        "median_first_token_s": statistics.median(r["first_token_s"] for r in runs),
        "median_total_s": total,
        "median_tokens_per_s": statistics.median(r["tokens_per_s"] for r in runs),
        "median_completion_tokens": statistics.median(r["completion_tokens"] for r in runs),
        "sources": dict(sum((Counter(r["sources"]) for r in runs), Counter())),
        "goal": {"total_s_under": GOAL_SECONDS, "met": total < GOAL_SECONDS},
        "machine": machine(),
        "rerun": rerun([".venv/bin/python", "benchmarks/captions.py", *sys.argv[1:]]),
        "per_run": [{k: v for k, v in r.items() if k != "variants"} for r in runs],
        "last_run_variants": runs[-1]["variants"],
    }
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="measured runs (after one warm-up)")
    p.add_argument("--platforms", nargs="+", default=["x", "bluesky", "mastodon"], help="platforms to write for")
    p.add_argument("--alternatives", type=int, default=1, help="variants per platform")
    p.add_argument("--length", default="medium", choices=["short", "medium", "long"])
    p.add_argument("--threads", type=int, default=2, help="CPU threads for the model")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")
    return args


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(asyncio.run(main(parse_args())))
