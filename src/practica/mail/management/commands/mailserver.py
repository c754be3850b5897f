"""`practica mailserver`: receive list mail over SMTP or LMTP from the MTA.

One line per message is logged (logger `practica.mail.mailserver`, INFO); see mail.mailserver.
"""

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from practica.mail.mailserver import MailServer


class Command(BaseCommand):
    help = (
        "Receive list mail: an SMTP (or, with --lmtp, LMTP) listener that an MTA hands mail "
        "for the list domain to. Stops gracefully on SIGTERM or SIGINT."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8025, help="Port to listen on.")
        parser.add_argument(
            "--lmtp", action="store_true", help="Speak LMTP (one reply per recipient)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        if not 0 < port < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        server = MailServer(host=options["host"], port=port, lmtp=options["lmtp"])
        try:
            server.start()
        except OSError as error:
            raise CommandError(f"Cannot listen on {options['host']}:{port}: {error}") from error
        protocol = "LMTP" if options["lmtp"] else "SMTP"
        self.stdout.write(f"Receiving list mail over {protocol} on {options['host']}:{port}")
        self.stdout.flush()
        while not stop.wait(1.0):
            pass
        self.stdout.write("Stopping: finishing the messages being received…")
        server.stop()
        self.stdout.write("Stopped.")
