"""`rebill`: the operator's command line (DESIGN.md §5)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from tqdm import tqdm

from domain.access import Role
from domain.errors import DomainError
from domain.money import micros_to_decimal
from domain.settings import Settings, SettingsError
from services import accrual, api_keys, clock, demo, outbox_relay, runtime
from services.invoicing import generate

KEYS_FOLDER = Path("var")


def demo_keys_file(settings: Settings) -> Path:
    """The demo's secrets, kept per database so switching DATABASE_URL never prints wrong keys."""
    digest = hashlib.sha256(settings.database_url.encode()).hexdigest()[:10]
    return KEYS_FOLDER / f"demo-keys-{digest}.json"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as error:
        print(f"rebill: {error}", file=sys.stderr)
        return 2
    runtime.tune_garbage_collector()
    result: int = args.command(settings, args)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rebill", description="Rebill usage-rebilling backend")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the GraphQL API")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.set_defaults(command=_serve)

    migrate = commands.add_parser("migrate", help="apply the database migrations")
    migrate.set_defaults(command=_migrate)

    seed = commands.add_parser("seed-demo", help="create the demo agency and print its keys")
    seed.set_defaults(command=_seed_demo)

    create_key = commands.add_parser("create-api-key", help="issue an API key")
    create_key.add_argument("--role", choices=[r.value for r in Role], required=True)
    create_key.add_argument("--name", required=True)
    create_key.add_argument("--tenant-id", type=UUID)
    create_key.add_argument("--source-id", type=UUID)
    create_key.set_defaults(command=_create_api_key)

    worker = commands.add_parser("worker", help="run the arq worker (hourly accrual; REDIS_URL)")
    worker.set_defaults(command=_worker)

    accrue = commands.add_parser("accrue", help="accrue seats and storage for the closed hours")
    accrue.add_argument(
        "--until",
        type=_instant,
        default=None,
        help="ISO 8601 time; hours closed by then are accrued (default: now; no offset: UTC)",
    )
    accrue.set_defaults(command=_accrue)

    close = commands.add_parser(
        "close-period", help="close every ended billing period into invoices (all tenants)"
    )
    close.add_argument(
        "--until",
        type=_instant,
        help="ISO 8601 time; periods ended by then are closed (default: now; no offset: UTC)",
    )
    close.set_defaults(command=_close_period)
    relay = commands.add_parser(
        "relay-outbox", help="publish committed events a process died before publishing"
    )
    relay.add_argument(
        "--grace",
        type=float,
        default=outbox_relay.GRACE.total_seconds(),
        help="seconds an event may wait for its own process to publish it (default: %(default)s)",
    )
    relay.set_defaults(command=_relay_outbox)
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from api.app import create_app
    from api.server import serve

    # Invoice links point at this server unless the deployment says where it is reached.
    os.environ.setdefault("REBILL_PUBLIC_URL", f"http://{args.host}:{args.port}")
    serve(create_app(settings), settings, args.host, args.port)
    return 0


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    applied = asyncio.run(runtime.migrate(settings))
    print("applied: " + ", ".join(applied) if applied else "database is up to date")
    return 0


def _seed_demo(settings: Settings, _args: argparse.Namespace) -> int:
    async def seed() -> demo.DemoKeys | None:
        async with runtime.database(settings):
            return None if await demo.demo_exists() else await demo.seed_demo()

    keys = asyncio.run(seed())
    keys_file = demo_keys_file(settings)
    if keys is not None:
        keys_file.parent.mkdir(parents=True, exist_ok=True)
        keys_file.write_text(json.dumps(dataclasses.asdict(keys), indent=2))
        keys_file.chmod(0o600)
    elif not keys_file.exists():
        print(
            "The demo agency exists but its keys were not kept here; issue new ones with "
            "`rebill create-api-key`."
        )
        return 0
    _print_demo_keys(json.loads(keys_file.read_text()))
    return 0


def _print_demo_keys(keys: dict[str, str]) -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    print("Demo keys (development only; secrets are shown here because this is the demo):")
    print(f"  platform: {keys['platform']}")
    print(f"  tenant:   {keys['tenant']}   (Demo Agency)")
    print(f"  source:   {keys['source']}   (Acme Dental portal)")
    print("Try it:")
    print(
        f"  curl -s http://{host}:{port}/graphql -H 'Content-Type: application/json' "
        f"-H 'Authorization: Bearer {keys['tenant']}' "
        '-d \'{"query":"{ viewer { role tenant { name sources { totalCount edges { node '
        "{ name wallet { balance { amount currency } } } } } } } }\"}'"
    )


def _create_api_key(settings: Settings, args: argparse.Namespace) -> int:
    async def issue() -> api_keys.IssuedKey:
        async with runtime.database(settings):
            return await api_keys.issue_key(
                args.name, Role(args.role), tenant_id=args.tenant_id, source_id=args.source_id
            )

    try:
        issued = asyncio.run(issue())
    except DomainError as error:
        problems = getattr(error, "problems", [])
        detail = "; ".join(f"{p.field}: {p.message}" for p in problems) or error.message
        print(f"rebill: {detail}", file=sys.stderr)
        return 1
    print(f"{issued.api_key.role.value} key {issued.api_key.id} ({issued.api_key.name})")
    print(f"secret (shown once): {issued.secret}")
    return 0


def _worker(_settings: Settings, _args: argparse.Namespace) -> int:
    # api/ may not import workers/ (DESIGN.md §2): the worker is its own program, run in place
    # of this process so it receives the signals a supervisor sends.
    os.execv(sys.executable, [sys.executable, "-m", "workers"])


def _instant(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _accrue(settings: Settings, args: argparse.Namespace) -> int:
    now = clock.utc_now()
    until: datetime = args.until or now
    if until > now:
        print("rebill: --until is in the future; only closed hours can be accrued", file=sys.stderr)
        return 2

    async def run() -> tuple[int, int, int]:
        async with runtime.database(settings):
            # A progress bar for a person at a terminal; nothing in logs and pipes.
            with tqdm(unit="tenant-hour", disable=not sys.stdout.isatty(), file=sys.stdout) as bar:

                def progress(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                accrued = await accrual.accrue_until(until, progress)
        wholesale = sum(hour.wholesale_micros for hour in accrued)
        return len(accrued), wholesale, sum(hour.retail_micros for hour in accrued)

    count, wholesale, retail = asyncio.run(run())
    print(
        f"accrued {count} tenant-hours until {until.isoformat()}: "
        f"wholesale {micros_to_decimal(wholesale)}, retail {micros_to_decimal(retail)}"
    )
    return 0


def _close_period(settings: Settings, args: argparse.Namespace) -> int:
    now = clock.utc_now()
    until: datetime = args.until or now
    if until > now:
        print("rebill: --until is in the future; only ended periods can be closed", file=sys.stderr)
        return 2

    async def run() -> generate.GeneratedInvoices:
        async with runtime.database(settings):
            with tqdm(unit="tenant", disable=not sys.stdout.isatty(), file=sys.stdout) as bar:

                def progress(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                return await generate.close_all_tenants(until, progress, now=now)

    closed = asyncio.run(run())
    print(
        f"closed the periods ended by {until.isoformat()}: {closed.created} invoices created, "
        f"{len(closed.invoice_ids)} created, rebuilt or finalized"
    )
    return 0


def _relay_outbox(settings: Settings, args: argparse.Namespace) -> int:
    async def run() -> int:
        async with runtime.database(settings):
            return await outbox_relay.relay_outbox(grace=timedelta(seconds=args.grace))

    print(f"relayed {asyncio.run(run())} events from the outbox")
    return 0


if __name__ == "__main__":
    sys.exit(main())
