"""A generated mailing-list archive (an mboxrd file) for `practica bench mbox-import`.

Threads of varying depth and length (most short, a few long and deep), several hundred
authors of whom some have accounts and some do not, replies quoting what they answer under an
"On …, … wrote:" line and signed, a few messages without a Message-ID, a few replies that only
say "Re: <subject>", a few messages in Chinese (encoded subjects, base64 bodies), a few body
lines starting with "From " (quoted as mboxrd does), spread over the years of the list.
"""

import base64
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime
from pathlib import Path

from practica.bench.search_corpus import TextGenerator

LIST_ADDRESS = "ml@lists.example.com"
FIRST_DAY = datetime(2012, 3, 1, 8, 0, tzinfo=UTC)
YEARS = 8


@dataclass
class Author:
    name: str
    email: str
    has_account: bool


@dataclass
class _Mail:
    message_id: str
    subject: str
    date: datetime
    author: Author
    text: str
    references: list[str] = field(default_factory=list)


@dataclass
class GeneratedArchive:
    path: Path
    messages: int
    threads: int
    authors: list[Author]


def _authors(rng: random.Random, count: int, known_share: float) -> list[Author]:
    first = "Ana Ben Chen Dana Emil Fatima Gao Hannah Ivan Julia Kenji Lena Mei Nora Omar Priya"
    last = "Ahmed Becker Costa Dubois Eriksen Fischer Garcia Huang Ivanova Jensen Kim Li Müller"
    people = []
    for n in range(count):
        name = f"{rng.choice(first.split())} {rng.choice(last.split())}"
        local = name.lower().replace(" ", ".").replace("ü", "ue") + str(n)
        domain = "example.com" if n % 7 else "Example.COM"  # addresses in any case
        people.append(Author(name, f"{local}@{domain}", rng.random() < known_share))
    return people


def _quote(text: str, author: Author, date: datetime) -> str:
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines()[:8])
    return f"On {date:%a, %b %d, %Y at %H:%M}, {author.name} <{author.email}> wrote:\n{quoted}"


def _thread_size(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.25:
        return 1
    if roll < 0.85:
        return rng.randint(2, 6)
    if roll < 0.98:
        return rng.randint(7, 20)
    return rng.randint(21, 60)


def _encode(mail: _Mail, *, with_id: bool, chinese: bool) -> bytes:
    subject = Header(mail.subject, "utf-8").encode() if chinese else mail.subject
    name = Header(mail.author.name, "utf-8").encode() if chinese else mail.author.name
    headers = [
        f"From: {name} <{mail.author.email}>",
        f"To: {LIST_ADDRESS}",
        f"Subject: {subject}",
        f"Date: {format_datetime(mail.date)}",
    ]
    if with_id:
        headers.append(f"Message-ID: {mail.message_id}")
    if mail.references:
        headers.append(f"In-Reply-To: {mail.references[-1]}")
        headers.append("References: " + "\n ".join(mail.references[-10:]))
    headers += ["MIME-Version: 1.0", "List-Id: <ml.lists.example.com>", "Precedence: list"]
    if chinese:
        headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]
        body = base64.encodebytes(mail.text.encode()).decode()
    else:
        headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
        body = mail.text
    postmark = f"From {mail.author.email} {mail.date:%a %b %d %H:%M:%S %Y}"
    lines = [
        ">" + line if line.lstrip(">").startswith("From ") else line for line in body.split("\n")
    ]
    return ("\n".join([postmark, *headers, "", *lines]) + "\n\n").encode()


def write_archive(
    path: Path, *, messages: int, seed: int = 7, authors: int = 400, known_share: float = 0.8
) -> GeneratedArchive:
    """Write an mbox of about `messages` messages to `path` (a few more, to finish a thread)."""
    rng = random.Random(seed)
    text = TextGenerator(rng)
    people = _authors(rng, authors, known_share)
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(people))]  # a few post a lot
    written = threads = 0
    span = timedelta(days=365 * YEARS)
    with path.open("wb") as out:
        while written < messages:
            threads += 1
            chinese = rng.random() < 0.03
            started = FIRST_DAY + span * (threads / max(1, messages // 4))
            started = min(started, FIRST_DAY + span) + timedelta(minutes=rng.randint(0, 600))
            subject = text.chinese_title() if chinese else text.title()
            asker = rng.choices(people, weights, k=1)[0]
            first_text = text.chinese_body() if chinese else text.body(rng.randint(2, 6))
            if rng.random() < 0.03:
                first_text += "\nFrom my experience this also happens on a single GPU."
            root = _Mail(
                f"<t{threads}.{seed}@mail.example.com>", subject, started, asker, first_text
            )
            thread = [root]
            for _ in range(_thread_size(rng) - 1):
                parent = rng.choice(thread[-3:]) if rng.random() < 0.8 else rng.choice(thread)
                date = max(m.date for m in thread) + timedelta(minutes=rng.randint(3, 4000))
                author = rng.choices(people, weights, k=1)[0]
                own = text.chinese_body() if chinese else text.body(rng.randint(1, 4))
                reply_text = f"{own}\n\n{_quote(parent.text, parent.author, parent.date)}"
                reply_text += f"\n\n-- \n{author.name}"
                thread.append(
                    _Mail(
                        f"<r{written + len(thread)}.{seed}@mail.example.com>",
                        f"Re: {subject}",
                        date,
                        author,
                        reply_text,
                        [*parent.references, parent.message_id],
                    )
                )
            for index, mail in enumerate(thread):
                # A few last messages (nobody answers them) come from a client that set no id.
                with_id = not (index == len(thread) - 1 and rng.random() < 0.04)
                if index and rng.random() < 0.01:
                    mail.references = []  # an old client: only "Re: subject" ties it
                out.write(_encode(mail, with_id=with_id, chinese=chinese))
            written += len(thread)
    return GeneratedArchive(path=path, messages=written, threads=threads, authors=people)
