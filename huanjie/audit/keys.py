"""Ed25519 keys for signing audit exports (``cryptography``), as PEM files."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from huanjie.errors import Conflict, InvalidInput, Problem

PRIVATE_FILE, PUBLIC_FILE = "audit_private.pem", "audit_public.pem"


def generate_keypair(out_dir: Path) -> tuple[Path, Path]:
    """Write a new key pair into ``out_dir``; the private key readable by its owner only."""
    private_path, public_path = out_dir / PRIVATE_FILE, out_dir / PUBLIC_FILE
    existing = [p for p in (private_path, public_path) if p.exists()]
    if existing:
        raise Conflict(f"密钥文件已存在：{'、'.join(str(p) for p in existing)}",
                       [Problem("不覆盖已有密钥（旧导出包仍需旧公钥核验），请另选目录", field="out")])
    out_dir.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))
    return private_path, public_path


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = _load(path, "私钥", lambda data: serialization.load_pem_private_key(data, password=None))
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"{path} 不是 Ed25519 私钥", [Problem("请用 huanjie audit keygen 生成密钥", field="key")])
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = _load(path, "公钥", serialization.load_pem_public_key)
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput(f"{path} 不是 Ed25519 公钥", [Problem("请使用与签名私钥配对的公钥", field="public_key")])
    return key


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key: names the key in a manifest."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def _load(path: Path, what: str, loader):
    try:
        return loader(path.read_bytes())
    except OSError as exc:
        raise InvalidInput(f"无法读取{what}文件 {path}（{exc.strerror}）", [Problem("请检查路径", field="key")]) from None
    except (ValueError, TypeError):
        raise InvalidInput(f"{path} 不是可用的 PEM {what}", [Problem("请用 huanjie audit keygen 生成密钥", field="key")]) from None
