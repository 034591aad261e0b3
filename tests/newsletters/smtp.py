"""A real SMTP server on loopback (aiosmtpd) for the newsletter tests and the benchmark: it
keeps every message it accepted, and refuses the addresses it is told to (5xx for good,
4xx for now)."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import threading
from collections import Counter

from aiosmtpd.controller import Controller

# aiosmtpd logs every connection at INFO: noise in the tests' output.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """aiosmtpd's handler: what came in, per recipient."""

    def __init__(self, *, keep_messages: bool = True):
        self.keep_messages = keep_messages
        self.messages: list[email.message.EmailMessage] = []
        self.per_recipient: Counter[str] = Counter()
        self.refuse_permanently: set[str] = set()
        self.refuse_for_now: set[str] = set()
        # address -> how many more times to answer 451 before accepting (greylisting)
        self.refuse_next: Counter[str] = Counter()
        self.on_data = None  # called with the envelope before the 250, in the server's thread
        self.lock = threading.Lock()
        self.sessions = 0  # EHLOs: one per SMTP connection

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.sessions += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_permanently:
            return "550 5.1.1 No such mailbox"
        if address in self.refuse_for_now:
            return "451 4.3.0 Try again later"
        if self.refuse_next[address] > 0:
            self.refuse_next[address] -= 1
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_data is not None:
            answer = self.on_data(envelope)
            if answer:
                return answer
        with self.lock:
            for address in envelope.rcpt_tos:
                self.per_recipient[address] += 1
            if self.keep_messages:
                self.messages.append(
                    email.message_from_bytes(envelope.content, policy=email.policy.default)
                )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


class LoopbackSMTP:
    def __init__(self, *, keep_messages: bool = True):
        self.recorder = Recorder(keep_messages=keep_messages)
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> LoopbackSMTP:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def settings(self) -> dict:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_TIMEOUT": 10,
        }
