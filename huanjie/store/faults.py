"""Database failures said as what they are: a full disk, a read-only store, a value that does
not fit its column, or (only then) another process changing the same rows.

``user_error`` maps SQLAlchemy's wrapped DBAPI errors (sqlite3, psycopg) to the error a user
sees; ``is_fatal`` tells the engine loop that retrying cannot help (the disk is full).
"""

from __future__ import annotations

import errno

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from huanjie.errors import Conflict, HuanjieError, InvalidInput, Problem

NOTHING_WRITTEN = "本次操作未写入任何内容"


class StoreFault(HuanjieError):
    """The store cannot take writes (disk full, read-only): retrying will not help."""

    code = "store"


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)


def _text(exc: BaseException) -> str:
    return str(getattr(exc, "orig", exc)).lower()


class Stopped(HuanjieError):
    """A stop signal arrived: the round ends now (each step already written stays)."""

    code = "stopped"


def user_error(exc: BaseException) -> HuanjieError | None:
    """The user-facing error for ``exc``, or None when it is not a known database failure."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return disk_full()
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreFault(f"无法写入文件（{exc.strerror}），{NOTHING_WRITTEN}",
                          [Problem("请检查输出路径或数据目录的写权限", field="path")])
    if isinstance(exc, OSError) and exc.filename:
        return InvalidInput(f"无法访问文件 {exc.filename}（{exc.strerror}），{NOTHING_WRITTEN}",
                            [Problem("请检查路径是否存在、是否为文件夹、是否有权限", field="path")])
    if not isinstance(exc, DBAPIError):
        return None
    state, text = _sqlstate(exc) or "", _text(exc)
    if state == "53100" or "disk is full" in text or "no space left" in text:
        return disk_full()
    if state == "25006" or "readonly database" in text or "read-only" in text:
        return StoreFault(f"数据库为只读，{NOTHING_WRITTEN}",
                          [Problem("数据库文件或所在目录不可写（或数据库处于只读模式）：请检查文件权限、挂载方式，"
                                   "或联系管理员", field="database")])
    if "unable to open database" in text or "disk i/o error" in text:
        return StoreFault(f"无法读写数据库文件，{NOTHING_WRITTEN}",
                          [Problem("请检查数据目录是否存在、是否可写、磁盘是否正常", field="database")])
    if isinstance(exc, DataError) or state.startswith("22"):
        return data_error(state, text)
    if isinstance(exc, (IntegrityError, OperationalError)):
        # another process changed the same rows at the same moment (or held the lock too long)
        return Conflict(f"数据正被其他操作同时修改，{NOTHING_WRITTEN}",
                        [Problem("请稍后重试；如反复出现，请检查是否有长时间运行的命令")])
    return None


def disk_full() -> StoreFault:
    return StoreFault(f"磁盘已满，{NOTHING_WRITTEN}",
                      [Problem("数据库所在磁盘没有剩余空间：请清理磁盘或扩容后重试", field="database")])


def data_error(state: str, text: str) -> InvalidInput:
    if state == "22001" or "too long" in text:
        rule = "有文字超过该项允许的长度"
    elif state == "22003" or "out of range" in text:
        rule = "有数值超出该项允许的范围"
    elif "nul" in text or "0x00" in text:
        rule = "有文字含有空字符（NUL）"
    else:
        rule = "有数值不符合该项的格式"
    return InvalidInput(f"输入{rule}，{NOTHING_WRITTEN}", [Problem("请检查输入的名称、数字是否过长或过大",
                                                                 field="input")])


def is_fatal(exc: BaseException) -> bool:
    """Retrying the next case cannot help: the store takes no writes, or the run is stopping."""
    return isinstance(exc, (StoreFault, Stopped)) or isinstance(user_error(exc), StoreFault)
