#!/usr/bin/env python3
"""Write a cpio "newc" archive (the Linux initramfs format) from host files.

  mkinitramfs.py OUT.cpio DEST=SRC [DEST=SRC ...]

DEST is the path inside the archive ("/init", "/bin/mm_test"); directories
on the way are created. SRC is a host file, or one of two special forms:
"@dir" (an empty directory, e.g. /proc for a mount point) and
"@chr:MAJOR:MINOR" (a character device node, e.g. /dev/console=@chr:5:1,
which Linux needs in an initramfs to give /init a console). Output is deterministic (inode numbers in order,
mtime 0, owner root), so the same inputs give the same bytes.
"""
import os
import sys

MAGIC = b"070701"
S_IFDIR, S_IFREG, S_IFCHR = 0o040000, 0o100000, 0o020000


def entry(ino, name, mode, data=b"", rdev=(0, 0)):
    """One newc record: header, name + NUL, pad to 4, data, pad to 4."""
    name_bytes = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 2 if mode & S_IFDIR else 1, 0, len(data),
              0, 0, rdev[0], rdev[1], len(name_bytes), 0]
    header = MAGIC + b"".join(b"%08X" % f for f in fields)
    out = header + name_bytes
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def parents(path):
    """'bin/x/y' -> ['bin', 'bin/x']."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i + 1]) for i in range(len(parts))]


def special_node(src):
    """(mode, (major, minor)) for a special SRC, None for a host file;
    ValueError if it starts with @ but is neither form."""
    if not src.startswith("@"):
        return None
    if src == "@dir":
        return S_IFDIR | 0o755, (0, 0)
    kind, _, nums = src.partition(":")
    major, _, minor = nums.partition(":")
    if kind != "@chr" or not major.isdigit() or not minor.isdigit():
        raise ValueError(f"{src}: not @dir or @chr:MAJOR:MINOR")
    return S_IFCHR | 0o600, (int(major), int(minor))


def special_entry(ino, dest, src):
    node = special_node(src)
    return entry(ino, dest, node[0], rdev=node[1]) if node else None


def file_entry(ino, dest, src):
    with open(src, "rb") as f:
        data = f.read()
    mode = S_IFREG | (0o755 if os.access(src, os.X_OK) else 0o644)
    return entry(ino, dest, mode, data)


def build(pairs):
    records, seen_dirs, ino = [], set(), 1
    for dest, src in pairs:
        dest = dest.lstrip("/")
        for d in parents(dest):
            if d not in seen_dirs:
                seen_dirs.add(d)
                records.append(entry(ino, d, S_IFDIR | 0o755))
                ino += 1
        records.append(special_entry(ino, dest, src) or
                       file_entry(ino, dest, src))
        seen_dirs.add(dest)
        ino += 1
    records.append(entry(0, "TRAILER!!!", 0))
    return b"".join(records)


def main(argv):
    if len(argv) < 3 or any("=" not in a for a in argv[2:]):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    pairs = [a.split("=", 1) for a in argv[2:]]
    for _, src in pairs:
        try:
            if special_node(src):
                continue
        except ValueError as e:
            print(f"mkinitramfs: {e}", file=sys.stderr)
            return 2
        if not os.path.isfile(src):
            print(f"mkinitramfs: {src}: not a file", file=sys.stderr)
            return 2
    # A fresh tree has no build/ARCH/ until the kernel is built.
    os.makedirs(os.path.dirname(argv[1]) or ".", exist_ok=True)
    with open(argv[1], "wb") as f:
        f.write(build(pairs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
