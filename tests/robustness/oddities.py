"""A directory of every odd thing a report folder can hold (test_files.py, test_store_inputs.py).

Tables: ODD_NAMES (file names → the doc_id expected), BAD (files named on stderr with a reason), EMPTY.
"""

from __future__ import annotations

import gzip
import os
import random
from pathlib import Path

from harness import REPORT

ROWS_PER_REPORT = 4  # 2129起, 684人, 7.8%, 42.2%

# file name (bytes: any name the file system allows) → doc_id expected in the table
ODD_NAMES = {
    b"new\nline.txt": "new\nline",
    b"com,ma.txt": "com,ma",
    b"quo\"te's.txt": "quo\"te's",
    b"bad\xff\xfeutf8.txt": "bad\ufffd\ufffdutf8",
    b"=cmd|' -C calc'!A0.txt": "=cmd|' -C calc'!A0",
    "中文 名\u3000.txt".encode(): "中文 名\u3000",
    b" lead space.TXT": " lead space",
}

# file name → (how to make it in the directory, the reason named on stderr)
BAD = {
    "fifo.txt": (lambda p: os.mkfifo(p), "a FIFO (named pipe), not a file"),
    "broken.txt": (lambda p: os.symlink("nowhere.txt", p), "broken link"),
    "loop.txt": (
        lambda p: (os.symlink("loop2.txt", p), os.symlink("loop.txt", p.parent / "loop2.txt")),
        "symlink loop",
    ),
    "eio.txt": (lambda p: os.symlink("/proc/self/mem", p), "unreadable: Input/output error"),
    "zero.txt": (lambda p: os.symlink("/dev/zero", p), "not a regular file"),
    "binary.txt": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 40), "binary file"),
    "controls.txt": (lambda p: p.write_bytes(bytes(range(1, 32)) * 300), "binary file (control characters)"),
    "gzip.txt": (lambda p: p.write_bytes(gzip.compress(REPORT.encode() * 50)), "binary file"),
    "random.txt": (lambda p: p.write_bytes(random.Random(1).randbytes(20_000)), "binary file"),
    "broken.json": (lambda p: p.write_bytes(b'{"text": "\xff'), "not valid JSON"),
    "nottext.json": (lambda p: p.write_text('{"text": 12}'), "JSON without a 'text' field"),
}

EMPTY = {"empty.txt": b"", "blank.txt": " \n\t\r\n\u3000\u3000\n".encode(), "bom-only.txt": b"\xef\xbb\xbf"}


def make_odd_directory(root: Path) -> Path:
    """Fill ``root`` (a new directory) with the oddities; return it."""
    root.mkdir()
    for name in ODD_NAMES:
        with open(os.path.join(os.fsencode(root), name), "wb") as handle:
            handle.write(REPORT.encode("utf-8"))
    for name, (make, _) in BAD.items():
        make(root / name)
    for name, data in EMPTY.items():
        (root / name).write_bytes(data)
    (root / "sub").mkdir()
    (root / "sub" / "inner.txt").write_text(REPORT, encoding="utf-8")
    os.symlink("..", root / "sub" / "up")  # a directory loop: walked once
    os.symlink(root / "sub", root / "again")  # the same directory twice: read once
    (root / "folder.txt").mkdir()  # a directory with a report suffix
    (root / "folder.txt" / "deep.htm").write_text(f"<p>{REPORT}</p>", encoding="utf-8")
    return root
