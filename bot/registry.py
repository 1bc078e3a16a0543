"""The chat command registry, errbot-style: `@command(intent)` registers a function whose docstring's
first line is its help text (with one example); it gets a CommandContext and returns the reply.
The commands themselves live in bot.commands (which imports every module that registers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot import texts
from bot.identity import Sender
from bot.models import InboundMessage
from core.bus import UnitOfWork
from core.runtime import Runtime
from nlu.result import ParseResult
from orders import commands
from orders.actor import Trace
from orders.exceptions import OrderError
from orders.models import Order
from orders.status import Status


@dataclass(frozen=True)
class Command:
    """One chat command: what it is called (the parser's intent), its help line, what it may do."""

    name: str
    func: Callable[[CommandContext], str]
    help: str
    changes: bool = True
    needs_order: bool = True

    @property
    def example(self) -> str:
        return self.help.split("：", 1)[-1]


COMMANDS: dict[str, Command] = {}


def command(name: str, *, changes: bool = True, needs_order: bool = True):
    """Register a chat command under the parser intent `name`; the docstring is its help line."""

    def register(func: Callable[[CommandContext], str]) -> Callable[[CommandContext], str]:
        help_line = (func.__doc__ or name).strip().splitlines()[0]
        COMMANDS[name] = Command(name, func, help_line, changes, needs_order)
        return func

    return register


@dataclass
class CommandContext:
    """What a command gets: the runtime, the message, the parse result, who sent it, which orders."""

    runtime: Runtime
    message: InboundMessage
    parsed: ParseResult
    sender: Sender
    orders: list[str] = field(default_factory=list)

    @property
    def trace(self) -> Trace:
        return Trace(inbound_message_id=self.message.id)

    def field(self, name: str):
        """A value the parser found (None for what a parse result does not carry)."""
        return getattr(self.parsed, name, None)

    def each(self, apply: Callable[[UnitOfWork, str], str]) -> str:
        """Apply to every order, each in its own transaction; a refused one is reported for itself."""
        lines = []
        for order_no in self.orders:
            try:
                with self.runtime.uow() as uow:
                    line = apply(uow, order_no)
                    uow.commit()
            except OrderError as exc:
                line = exc.message
            lines.append(line)
        return "\n".join(lines)

    def run(self, name: str, reply: Callable[[Order], str], extra: dict | None = None, *,
            reply_after_commit: bool = False) -> str:
        """Run domain command `name` on every order, with the fields it reads taken from the parse (+ extra).

        `reply_after_commit`: the reply reads what the event handlers wrote (a schedule's planned tasks).
        """
        cmd = commands.COMMANDS[name]
        fields = {f: v for f in (*cmd.needs, *cmd.accepts) if (v := self.field(f)) not in (None, "")}
        fields.update(extra or {})

        def apply(uow: UnitOfWork, order_no: str) -> str:
            order = commands.run(uow, name, order_no, actor=self.sender.actor, fields=fields, trace=self.trace)
            if reply_after_commit:
                uow.commit()
            return reply(order)

        return self.each(apply)

    def move(self, name: str, detail: Callable[[Order], str] = lambda order: "") -> str:
        """Run a status move and answer '✅ SO… 已改为「…」（detail）'."""
        return self.run(name, lambda o: texts.moved(o.order_no, Status(o.status).label, detail(o)))
