#!/usr/bin/env python3
"""Fetch Debian's Linux kernel (vmlinuz) for an arch, once, into build/linux/.

  linux_image.py ARCH [ARCH ...]     fetch (or reuse) and print each path

`./build.sh bench --vs-linux` boots the benchmark on this kernel beside
tlbk. apt runs on a private state under build/linux/apt/ (its own
sources.list, package lists, cache and an empty dpkg status), so the
host's apt configuration is neither used nor changed, and the .deb is only
downloaded and unpacked, never installed. Only boot/vmlinuz-* is kept:

  build/linux/ARCH/vmlinuz-KVER     the kernel QEMU boots
  build/linux/ARCH/VERSION          "package=... version=... kernel=KVER"

A later run finds the file and does not touch the network. Two runs at
once take turns on build/linux/.lock.
"""
import fcntl
import glob
import os
import shutil
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
SOURCES = [
    f"deb [signed-by={KEYRING}] http://deb.debian.org/debian bookworm main",
    f"deb [signed-by={KEYRING}] http://deb.debian.org/debian-security "
    "bookworm-security main",
]
# The metapackage that depends on the current kernel of each arch, with
# Debian's name for the arch. i686: the PAE flavour, as tlbk's i686 runs
# (TCG's -cpu max has PAE and NX).
METAPACKAGES = {
    "x86_64": ("linux-image-amd64", "amd64"),
    "i686": ("linux-image-686-pae", "i386"),
    "aarch64": ("linux-image-arm64", "arm64"),
}


# apt's retries of a failed download (its default); the tests lower it.
RETRIES = 3


class FetchError(Exception):
    """The kernel could not be fetched; the message is one line."""


def cache_dir(build):
    """build/linux/, where every fetched kernel is kept."""
    return os.path.join(build, "linux")


def apt_options(state):
    """apt-get/apt-cache options that confine apt to @state: lists,
    status, cache and sources there, every arch the project boots, and
    no host sources.list.d."""
    opts = {
        "Dir::State::Lists": os.path.join(state, "lists"),
        "Dir::State::status": os.path.join(state, "status"),
        "Dir::Cache": os.path.join(state, "cache"),
        "Dir::Etc::SourceList": os.path.join(state, "etc", "sources.list"),
        "Dir::Etc::SourceParts": "/nonexistent",
        "APT::Architecture": "amd64",
        # Downloads run as root: the _apt user may not be able to write
        # into a build tree under a private home directory.
        "APT::Sandbox::User": "root",
        "Acquire::Retries": str(RETRIES),
    }
    argv = []
    for key, value in opts.items():
        argv += ["-o", f"{key}={value}"]
    for debian_arch in ("i386", "arm64", "amd64"):
        argv += ["-o", f"APT::Architectures::={debian_arch}"]
    return argv


def make_apt_state(state):
    """Create the private apt tree under @state (idempotent)."""
    for d in ("lists/partial", "cache/archives/partial", "etc"):
        os.makedirs(os.path.join(state, d), exist_ok=True)
    open(os.path.join(state, "status"), "a").close()
    with open(os.path.join(state, "etc", "sources.list"), "w") as f:
        f.write("\n".join(SOURCES) + "\n")


def have_lists(state):
    """True if an earlier `apt-get update` left package lists in @state."""
    return bool(glob.glob(os.path.join(state, "lists", "*_Packages*")))


def apt_error(output):
    """The line of apt's @output that says what went wrong: its first
    error (E:, or a failed fetch), else its last line."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    errs = [ln for ln in lines if ln.startswith("E:") or
            ln.startswith("W: Failed to fetch")]
    return (errs or lines or ["(no output)"])[0 if errs else -1]


def run_apt(argv, what, cwd=None):
    """Run an apt command quietly, its output; FetchError with apt's
    error line if it fails or cannot run."""
    try:
        p = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    except OSError as e:
        raise FetchError(f"{what}: cannot run {argv[0]}: {e.strerror}")
    if p.returncode:
        raise FetchError(f"{what} failed: {apt_error(p.stdout)}")
    return p.stdout


def apt_update(state):
    """Fetch the package lists into @state (the only network step besides
    the .deb download)."""
    what = "apt-get update (is deb.debian.org reachable?)"
    out = run_apt(["apt-get", *apt_options(state), "-q", "update"], what)
    # apt-get update exits 0 when every download failed, with warnings.
    if not have_lists(state):
        raise FetchError(f"{what} fetched no package lists: "
                         f"{apt_error(out)}")


def kernel_package(state, meta, debian_arch):
    """The versioned linux-image package @meta depends on, e.g.
    linux-image-6.1.0-57-arm64."""
    out = run_apt(["apt-cache", *apt_options(state), "depends",
                   f"{meta}:{debian_arch}"], f"apt-cache depends {meta}")
    for line in out.splitlines():
        word = line.split()
        if len(word) == 2 and word[0] == "Depends:" and \
                word[1].startswith("linux-image-"):
            return word[1].split(":")[0]
    raise FetchError(f"{meta}:{debian_arch} depends on no linux-image "
                     "package in the lists")


def download_deb(state, package, debian_arch, into):
    """Download @package's .deb into the directory @into; its path."""
    run_apt(["apt-get", *apt_options(state), "-q", "download",
             f"{package}:{debian_arch}"],
            f"apt-get download {package}:{debian_arch}", cwd=into)
    debs = glob.glob(os.path.join(into, "*.deb"))
    if len(debs) != 1:
        raise FetchError(f"apt-get download {package} left {len(debs)} "
                         f".deb files in {into}")
    return debs[0]


def deb_field(deb, field):
    """A control field of @deb (dpkg-deb -f)."""
    out = subprocess.run(["dpkg-deb", "-f", deb, field], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return out.strip()


def unpack_vmlinuz(deb, into):
    """Extract ./boot/vmlinuz-* from @deb into @into; its path."""
    tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb],
                           stdout=subprocess.PIPE)
    x = subprocess.run(["tar", "-x", "-C", into, "--wildcards",
                        "./boot/vmlinuz-*"], stdin=tar.stdout,
                       stderr=subprocess.PIPE, text=True)
    tar.stdout.close()
    if tar.wait() or x.returncode:
        raise FetchError(f"cannot unpack boot/vmlinuz-* from {deb}: "
                         f"{x.stderr.strip() or 'dpkg-deb failed'}")
    found = glob.glob(os.path.join(into, "boot", "vmlinuz-*"))
    if len(found) != 1:
        raise FetchError(f"{deb} holds {len(found)} boot/vmlinuz-* files")
    return found[0]


def read_version(arch_dir):
    """The VERSION file of a cached kernel as a dict, or None if there is
    no complete cache (VERSION written last, so its presence means the
    vmlinuz it names is whole)."""
    try:
        with open(os.path.join(arch_dir, "VERSION")) as f:
            info = dict(w.split("=", 1) for w in f.read().split() if "=" in w)
    except OSError:
        return None
    vmlinuz = os.path.join(arch_dir, f"vmlinuz-{info.get('kernel', '')}")
    if not {"package", "version", "kernel"} <= info.keys() or \
            not os.path.isfile(vmlinuz):
        return None
    info["path"] = vmlinuz
    return info


def fetch(arch, build):
    """Download and unpack the kernel of @arch into the cache (the caller
    holds the lock); its VERSION dict."""
    meta, debian_arch = METAPACKAGES[arch]
    state = os.path.join(cache_dir(build), "apt")
    make_apt_state(state)
    if not have_lists(state):
        apt_update(state)
    arch_dir = os.path.join(cache_dir(build), arch)
    tmp = os.path.join(arch_dir, "tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        try:
            package = kernel_package(state, meta, debian_arch)
            deb = download_deb(state, package, debian_arch, tmp)
        except FetchError:
            # Lists from an earlier arch's fetch may name a kernel the
            # security archive has since replaced: refresh them once.
            apt_update(state)
            package = kernel_package(state, meta, debian_arch)
            deb = download_deb(state, package, debian_arch, tmp)
        version = deb_field(deb, "Version")
        image = unpack_vmlinuz(deb, tmp)
        kver = os.path.basename(image)[len("vmlinuz-"):]
        os.replace(image, os.path.join(arch_dir, f"vmlinuz-{kver}"))
        with open(os.path.join(arch_dir, "VERSION.new"), "w") as f:
            f.write(f"package={package} version={version} kernel={kver}\n")
        os.replace(os.path.join(arch_dir, "VERSION.new"),
                   os.path.join(arch_dir, "VERSION"))
    finally:
        # The .deb (tens of MB) and the rest of its tree are not kept.
        shutil.rmtree(tmp, ignore_errors=True)
    return read_version(arch_dir)


def linux_kernel(arch, build=None, log=None):
    """The cached Debian kernel of @arch, fetched first if missing: a dict
    with path, package, version and kernel (the uname -r). @log(msg) is
    told when a download starts. FetchError (one line) on failure."""
    build = build or os.path.join(TOP, "build")
    if arch not in METAPACKAGES:
        raise FetchError(f"no Debian kernel for arch '{arch}'")
    arch_dir = os.path.join(cache_dir(build), arch)
    info = read_version(arch_dir)
    if info:
        return info
    os.makedirs(arch_dir, exist_ok=True)
    with open(os.path.join(cache_dir(build), ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Another run may have fetched it while this one waited.
        info = read_version(arch_dir)
        if info:
            return info
        if log:
            log(f"linux: fetching {METAPACKAGES[arch][0]} "
                f"({METAPACKAGES[arch][1]}) from deb.debian.org")
        try:
            return fetch(arch, build)
        except (OSError, subprocess.CalledProcessError) as e:
            raise FetchError(f"linux {arch}: {e}")


def main(argv):
    """Fetch the kernels named on the command line."""
    if not argv or any(a not in METAPACKAGES for a in argv):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for arch in argv:
        try:
            info = linux_kernel(arch, log=lambda m: print(m, file=sys.stderr))
        except FetchError as e:
            print(f"linux_image: {e}", file=sys.stderr)
            return 1
        print(f"{arch}: {info['path']} ({info['package']} {info['version']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
