#!/usr/bin/env python3
"""Check a console log or program output against the KTAP rules that Linux's
KTAP parser (tools/testing/kunit/kunit_parser.py) applies, so every result
stream this project prints is one that parser accepts.

  ktap_check.py [FILE...]      check each file (or stdin); exit 1 on an error
  ktap_check.py --self-test    check the checker on good and bad samples

The rules, as that parser reads a stream (this is an independent
implementation of them, not its code):
  - KTAP starts at the first line holding "KTAP version N" (or "TAP version
    N"); whatever stands before it on that line is a prefix cut from every
    later line. No such line: "could not find any KTAP output".
  - Versions: KTAP 1, TAP 13 or 14.
  - The top level is a version line, then a plan "1..N".
  - A subtest is a block opened by "KTAP version 1" and/or "# Subtest: NAME",
    with its own plan; its result line must carry NAME.
  - Results "ok|not ok NUM [- ]NAME[ # DIRECTIVE]" are numbered 1, 2, ...
    within their level; a level must deliver as many as its plan says.
  - A block whose plan promised tests but that ran none is "0 tests run".
  - Any other line is a diagnostic and is ignored.
Indentation is not significant to the parser (it strips leading blanks), so
it is not checked here either.
"""
import re
import sys

KTAP_START = re.compile(r"\s*KTAP version ([0-9]+)$")
TAP_START = re.compile(r"\s*TAP version ([0-9]+)$")
KTAP_END = re.compile(r"\s*(List of all partitions:|"
                      r"Kernel panic - not syncing: VFS:|reboot: System halted)")
HEADER = re.compile(r"^\s*# Subtest: (.*)$")
PLAN = re.compile(r"^\s*1\.\.([0-9]+)")
RESULT = re.compile(r"^\s*(ok|not ok) ([0-9]+) (- )?([^#]*)( # .*)?$")
RESULT_SKIP = re.compile(r"^\s*(ok|not ok) ([0-9]+) (- )?(.*) # SKIP(.*)$")
STRUCTURAL = (RESULT, HEADER, KTAP_START, TAP_START, PLAN)


def extract(lines):
    """The KTAP part of @lines, prefix removed, as (line number, text)."""
    out, prefix = [], None
    for num, line in enumerate(lines, 1):
        line = line.rstrip("\r\n").rstrip()
        if prefix is None:
            for word, pat in (("KTAP version", KTAP_START),
                              ("TAP version", TAP_START)):
                if pat.search(line):
                    prefix = len(line.split(word)[0])
                    out.append((num, line[prefix:]))
                    break
        elif KTAP_END.search(line):
            break
        else:
            out.append((num, line[prefix:]))
    return out


class Stream:
    def __init__(self, lines):
        self.lines, self.i, self.errors = lines, 0, []

    def peek(self):
        return self.lines[self.i][1] if self.i < len(self.lines) else None

    def pop(self):
        self.i += 1
        return self.lines[self.i - 1][1]

    def error(self, what):
        where = (f"line {self.lines[self.i][0]}" if self.i < len(self.lines)
                 else "end of output")
        self.errors.append(f"{where}: {what}")

    def skip_diagnostics(self):
        while self.peek() is not None and not any(
                p.match(self.peek()) for p in STRUCTURAL):
            self.pop()

    def version(self):
        line = self.peek()
        for pat, kind, ok in ((KTAP_START, "KTAP", (1,)),
                              (TAP_START, "TAP", (13, 14))):
            m = pat.match(line) if line is not None else None
            if m:
                if int(m.group(1)) not in ok:
                    self.error(f"{kind} version {m.group(1)} is not "
                               f"{' or '.join(map(str, ok))}")
                self.pop()
                return True
        return False

    def plan(self):
        m = PLAN.match(self.peek() or "")
        if not m:
            return None
        self.pop()
        return int(m.group(1))

    def result_name(self):
        line = self.peek()
        m = RESULT.match(line) if line is not None else None
        return m.group(4) if m else None


def parse(s, expected_num, top):
    """One test: the top level, a subtest block or a plain result line."""
    s.skip_diagnostics()
    name = ""
    if top:
        s.version()
        s.skip_diagnostics()
        count, parent = s.plan(), True
    else:
        opened = s.version()
        m = HEADER.match(s.peek() or "")
        if m:
            name = m.group(1)
            s.pop()
        s.skip_diagnostics()
        count, parent = s.plan(), opened or bool(m)
    ran = 0
    while parent and (count is None or ran < count):
        s.skip_diagnostics()
        if s.peek() is None or (not top and s.result_name() == name):
            if count:
                s.error(f"'{name or 'main'}': missing expected subtest "
                        f"{ran + 1} of {count}")
                ran += 1
                continue
            break
        parse(s, ran + 1, False)
        ran += 1
    if not top:
        s.skip_diagnostics()
        if name and s.result_name() != name:
            s.error(f"'{name}': missing subtest result line")
        elif s.peek() is None:
            s.error(f"'{name}': no more test results")
        elif not RESULT.match(s.peek()):
            s.error(f"expected a result line, got {s.peek()!r}")
            s.pop()
        else:
            m = RESULT.match(s.peek())
            if int(m.group(2)) != expected_num:
                s.error(f"expected test number {expected_num}, found "
                        f"{m.group(2)}")
            s.pop()
    if parent and ran == 0:
        s.error(f"'{name or 'main'}': 0 tests run")


def check(lines):
    """Return the KTAP errors of @lines (an iterable of text lines)."""
    ktap = extract(lines)
    if not ktap:
        return ["could not find any KTAP output"]
    s = Stream(ktap)
    parse(s, 0, True)
    s.skip_diagnostics()
    if s.peek() is not None:
        s.error(f"unparsed line after the last result: {s.peek()!r}")
    return s.errors


GOOD = """[cpu0] boot
KTAP version 1
1..2
    KTAP version 1
    # Subtest: a
    1..2
    ok 1 x
    # diag
    not ok 2 y
not ok 1 a
ok 2 b # SKIP none
"""
BAD = {
    "no KTAP": "1..1\nok 1 x\n",
    "short plan": "KTAP version 1\n1..3\nok 1 x\nok 2 y\n",
    "numbering": "KTAP version 1\n1..2\nok 1 x\nok 3 y\n",
    "version": "KTAP version 2\n1..1\nok 1 x\n",
    "subtest name": ("KTAP version 1\n1..1\n    KTAP version 1\n"
                     "    # Subtest: a\n    1..1\n    ok 1 x\nok 1 b\n"),
    "empty subtest": ("KTAP version 1\n1..1\n    KTAP version 1\n"
                      "    # Subtest: a\n    1..0\nok 1 a\n"),
}


def self_test():
    failed = 0
    errs = check(GOOD.splitlines())
    print(f"{'not ' if errs else ''}ok 1 good stream accepted")
    for e in errs:
        print(f"# {e}")
    failed += bool(errs)
    for n, (what, text) in enumerate(BAD.items(), 2):
        errs = check(text.splitlines())
        print(f"{'' if errs else 'not '}ok {n} {what} rejected"
              f"{': ' + errs[0] if errs else ''}")
        failed += not errs
    print(f"1..{len(BAD) + 1}")
    return 1 if failed else 0


def main(argv):
    if argv == ["--self-test"]:
        return self_test()
    status = 0
    for path in argv or ["-"]:
        f = sys.stdin if path == "-" else open(path, errors="replace")
        errs = check(f)
        for e in errs:
            print(f"{path}: {e}", file=sys.stderr)
        status |= bool(errs)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
