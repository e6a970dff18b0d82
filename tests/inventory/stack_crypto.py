"""Open and seal Pulumi passphrase-provider secrets with the standard library only (tests only).

Pulumi derives the key with PBKDF2-HMAC-SHA256 (1,000,000 iterations) and seals values with
AES-256-GCM (``v1:<nonce>:<ciphertext+tag>``, base64). This small, slow AES is enough to
prove that the dev stack's secrets open with its documented passphrase, without making
``cryptography`` a test dependency.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def _sbox() -> list[int]:
    box, p, q = [0] * 256, 1, 1
    while True:
        p = p ^ ((p << 1) & 0xFF) ^ (0x1B if p & 0x80 else 0)  # p *= 3
        q ^= q << 1
        q ^= q << 2
        q ^= q << 4
        q &= 0xFF
        q ^= 0x09 if q & 0x80 else 0  # q /= 3
        x = q ^ ((q << 1) | (q >> 7)) ^ ((q << 2) | (q >> 6))
        x ^= ((q << 3) | (q >> 5)) ^ ((q << 4) | (q >> 4))
        box[p] = (x ^ 0x63) & 0xFF
        if p == 1:
            break
    box[0] = 0x63
    return box


SBOX = _sbox()


def _xtime(b: int) -> int:
    return ((b << 1) ^ (0x1B if b & 0x80 else 0)) & 0xFF


def _expand(key: bytes) -> list[list[int]]:
    """AES-256 key schedule: 15 round keys of 16 bytes."""
    words = [list(key[i : i + 4]) for i in range(0, 32, 4)]
    rcon = 1
    for i in range(8, 60):
        t = list(words[i - 1])
        if i % 8 == 0:
            t = [SBOX[b] for b in t[1:] + t[:1]]
            t[0] ^= rcon
            rcon = _xtime(rcon)
        elif i % 8 == 4:
            t = [SBOX[b] for b in t]
        words.append([a ^ b for a, b in zip(words[i - 8], t, strict=True)])
    return [[b for w in words[r * 4 : r * 4 + 4] for b in w] for r in range(15)]


def _encrypt_block(rounds: list[list[int]], block: bytes) -> bytes:
    s = [b ^ k for b, k in zip(block, rounds[0], strict=True)]
    for r in range(1, 15):
        s = [SBOX[b] for b in s]
        s = [s[(i + 4 * (i % 4)) % 16] for i in range(16)]  # ShiftRows (column-major)
        if r != 14:
            mixed = []
            for c in range(4):
                a = s[4 * c : 4 * c + 4]
                t = a[0] ^ a[1] ^ a[2] ^ a[3]
                mixed += [a[i] ^ t ^ _xtime(a[i] ^ a[(i + 1) % 4]) for i in range(4)]
            s = mixed
        s = [b ^ k for b, k in zip(s, rounds[r], strict=True)]
    return bytes(s)


def _gf_mult(x: int, y: int) -> int:
    z, r = 0, 0xE1 << 120
    for i in range(127, -1, -1):
        if (y >> i) & 1:
            z ^= x
        x = (x >> 1) ^ (r if x & 1 else 0)
    return z


def _ctr(rounds: list[list[int]], nonce: bytes, data: bytes) -> bytes:
    """AES-CTR from counter 2 (GCM's first data block): encrypts and decrypts alike."""
    out = bytearray()
    for i in range(0, len(data), 16):
        counter = nonce + (2 + i // 16).to_bytes(4, "big")
        stream = _encrypt_block(rounds, counter)
        out += bytes(a ^ b for a, b in zip(data[i : i + 16], stream, strict=False))
    return bytes(out)


def _tag(rounds: list[list[int]], nonce: bytes, ciphertext: bytes) -> bytes:
    """GCM's authentication tag of ``ciphertext`` (no associated data)."""
    h = int.from_bytes(_encrypt_block(rounds, bytes(16)), "big")
    padded = (
        ciphertext
        + bytes(-len(ciphertext) % 16)
        + (0).to_bytes(8, "big")
        + (len(ciphertext) * 8).to_bytes(8, "big")
    )
    ghash = 0
    for i in range(0, len(padded), 16):
        ghash = _gf_mult(ghash ^ int.from_bytes(padded[i : i + 16], "big"), h)
    j0 = nonce + b"\x00\x00\x00\x01"
    return bytes(
        a ^ b for a, b in zip(_encrypt_block(rounds, j0), ghash.to_bytes(16, "big"), strict=True)
    )


def aes_gcm_decrypt(key: bytes, nonce: bytes, sealed: bytes) -> bytes:
    """AES-256-GCM open (12-byte nonce, 16-byte tag, no associated data)."""
    rounds = _expand(key)
    data, tag = sealed[:-16], sealed[-16:]
    if not hmac.compare_digest(_tag(rounds, nonce, data), tag):
        raise ValueError("authentication failed: wrong key or corrupted value")
    return _ctr(rounds, nonce, data)


def aes_gcm_encrypt(key: bytes, nonce: bytes, plain: bytes) -> bytes:
    """AES-256-GCM seal: the ciphertext followed by its 16-byte tag."""
    rounds = _expand(key)
    data = _ctr(rounds, nonce, plain)
    return data + _tag(rounds, nonce, data)


def _split(value: str) -> tuple[bytes, bytes]:
    version, nonce, sealed = value.split(":")
    assert version == "v1"
    return base64.b64decode(nonce), base64.b64decode(sealed)


def key_from_salt(passphrase: str, encryptionsalt: str) -> bytes:
    """The stack key, checked against the salt's encrypted "pulumi" like the CLI does."""
    version, salt, check = encryptionsalt.split(":", 2)
    assert version == "v1"
    key = hashlib.pbkdf2_hmac("sha256", passphrase.encode(), base64.b64decode(salt), 1_000_000, 32)
    if decrypt(key, check) != "pulumi":
        raise ValueError("incorrect passphrase")
    return key


def decrypt(key: bytes, value: str) -> str:
    """Open one ``secure:`` value."""
    return aes_gcm_decrypt(key, *_split(value)).decode()


def encrypt(key: bytes, plaintext: str, nonce: bytes | None = None) -> str:
    """Seal one value the way the CLI's passphrase provider does: ``v1:<nonce>:<sealed>``.

    Used to write the dev stack's dummy secrets (``secrets.token_bytes(12)`` as the nonce,
    like the CLI's random one); a fixed ``nonce`` makes the output reproducible.
    """
    nonce = secrets.token_bytes(12) if nonce is None else nonce
    sealed = aes_gcm_encrypt(key, nonce, plaintext.encode())
    return f"v1:{base64.b64encode(nonce).decode()}:{base64.b64encode(sealed).decode()}"
