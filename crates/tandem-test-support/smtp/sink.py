"""A real SMTP server on loopback for Tandem's email tests (aiosmtpd, from PyPI).

Usage: python3 sink.py DIR PORT. Listens on 127.0.0.1:PORT (0 picks a free port), prints the
port on a line of its own once it accepts connections, and writes each email it receives to DIR
as JSON (recipients, subject and decoded text) before answering 250, so that a sender whose
email was accepted will find the file there.
"""

import asyncio
import email
import email.policy
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class Keep:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.count += 1
        name = os.path.join(self.folder, f"{os.getpid()}-{self.count:06}.json")
        with open(name + ".part", "w", encoding="utf-8") as out:
            json.dump(
                {
                    "to": envelope.rcpt_tos,
                    "from": envelope.mail_from,
                    "subject": str(message["subject"]),
                    "body": message.get_content(),
                },
                out,
            )
        os.replace(name + ".part", name)
        return "250 OK"


async def main(folder, port):
    loop = asyncio.get_running_loop()
    # One handler for every connection, so that file names never repeat.
    keep = Keep(folder)
    server = await loop.create_server(
        lambda: SMTP(keep), host="127.0.0.1", port=port, reuse_address=True
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()


asyncio.run(main(sys.argv[1], int(sys.argv[2])))
