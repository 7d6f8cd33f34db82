"""Anchors kept outside the database, as `marketplace verify` reads them, with their signatures checked.

An anchor is a position and the chain's hash there. It comes as `--anchor POSITION:HASH`, or in a
file of kept checkpoints: the JSON that GET /audit/checkpoints answered (one page, a list of pages,
or pages one after another as `curl >> FILE` appends them), lines of `POSITION:HASH`, or both.
A signed checkpoint counts as an anchor only when its signature verifies with a trusted key: the
keys given with `--public-key`, or else the keys published beside the checkpoints. A checkpoint that
does not verify is refused and reported (forged or altered).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from marketplace.audit import Anchor
from marketplace.checkpoints import checkpoint_message, key_id, load_public_key

HASH = re.compile(r"[0-9a-f]{64}")


def parse_anchor(text: str) -> Anchor:
    """`POSITION:HASH`, as `marketplace verify --anchor` takes it."""
    position, _, hash_ = text.strip().partition(":")
    if not position.isdigit() or not HASH.fullmatch(hash_):
        raise ValueError(f"{text!r} is not POSITION:HASH (a position, a colon, 64 lowercase hex digits)")
    return Anchor(int(position), hash_)


def anchor_argument(text: str) -> Anchor:
    """`parse_anchor` for argparse, which shows an ArgumentTypeError's message as it is."""
    try:
        return parse_anchor(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


@dataclass
class Kept:
    """What the files and arguments hold: anchors to check, keys found beside them, checkpoints refused."""

    anchors: list[Anchor] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    signed: list[dict[str, Any]] = field(default_factory=list)
    published_keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)


def _documents(text: str) -> Iterator[Any]:
    """Each JSON value and each POSITION:HASH line in turn: JSON may span lines or follow JSON on one line
    (`curl >> FILE` appends answers with no newline between them); blank lines and # comments are skipped."""
    decoder, at = json.JSONDecoder(), 0
    while (at := _skip_blank(text, at)) < len(text):
        line = text.count("\n", 0, at) + 1
        try:
            if text[at] in "[{":
                value, at = decoder.raw_decode(text, at)
                yield value
            else:
                end = len(text) if (newline := text.find("\n", at)) < 0 else newline
                yield parse_anchor(text[at:end])
                at = end
        except (json.JSONDecodeError, ValueError) as error:
            raise ValueError(f"line {line}: {error}") from error


def _skip_blank(text: str, at: int) -> int:
    """The next place after `at` that is neither white space nor a # comment line."""
    while at < len(text):
        if text[at].isspace():
            at += 1
        elif text[at] == "#":
            at = len(text) if (newline := text.find("\n", at)) < 0 else newline
        else:
            break
    return at


def _collect(kept: Kept, entry: Any) -> None:
    """Sort one entry into plain anchors, signed checkpoints and published keys."""
    if isinstance(entry, (Anchor, str)):
        kept.anchors.append(entry if isinstance(entry, Anchor) else parse_anchor(entry))
    elif isinstance(entry, list):
        for item in entry:
            _collect(kept, item)
    elif isinstance(entry, dict) and "checkpoints" in entry:
        for published in entry.get("public_keys", []):
            key = load_public_key(str(published["public_key"]))
            kept.published_keys[key_id(key)] = key
        _collect(kept, entry["checkpoints"])
    elif isinstance(entry, dict) and "signature" in entry:
        kept.signed.append(entry)
    elif isinstance(entry, dict) and "position" in entry and "hash" in entry:
        kept.anchors.append(parse_anchor(f"{entry['position']}:{entry['hash']}"))
    else:
        raise ValueError(f"not an anchor, a checkpoint or a page of checkpoints: {str(entry)[:80]}")


def _judge(checkpoint: dict[str, Any], keys: dict[str, Ed25519PublicKey]) -> Anchor | str:
    """The anchor a signed checkpoint vouches for, or why it is refused."""
    position = checkpoint.get("position")
    try:
        anchor = parse_anchor(f"{position}:{checkpoint['hash']}")
        signer = str(checkpoint["key_id"])
        message = checkpoint_message(anchor.position, anchor.hash, str(checkpoint["signed_at"]), signer)
        key = keys.get(signer)
        if key is None:
            return f"checkpoint at position {position}: signed by key {signer}, not a trusted key"
        key.verify(base64.b64decode(str(checkpoint["signature"]), validate=True), message)
    except (KeyError, ValueError, binascii.Error) as error:
        return f"checkpoint at position {position}: refused, unreadable ({error})"
    except InvalidSignature:
        return f"checkpoint at position {position}: the signature does not verify (forged or altered)"
    return anchor


def read_kept(anchors: Sequence[Anchor], files: Sequence[Path], public_keys: Sequence[Path] = ()) -> Kept:
    """The anchors to check: those given, those in the files, and each signed checkpoint that verifies."""
    kept = Kept(anchors=list(anchors))
    for path in files:
        found = len(kept.anchors) + len(kept.signed)
        for document in _documents(path.read_text()):
            _collect(kept, document)
        if len(kept.anchors) + len(kept.signed) == found:
            raise ValueError(f"{path} holds no anchor or checkpoint")
    pinned = [load_public_key(path.read_bytes()) for path in public_keys]
    trusted = {key_id(key): key for key in pinned} if pinned else kept.published_keys
    for checkpoint in kept.signed:
        judged = _judge(checkpoint, trusted)
        if isinstance(judged, Anchor):
            kept.anchors.append(judged)
        else:
            kept.refused.append(judged)
    return kept
