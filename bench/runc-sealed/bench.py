#!/usr/bin/env python3
"""runc from its file vs from one sealed memfd copy (what solsticed does; docs/oci.md).

Usage (root): bench.py [N_LIST] [N_RUN]. Interleaves the two ways in one session and prints the
median and mean of each, so load from other work hits both alike. `runc list` never copies itself in
runc 1.1; `runc run` (runc init) does, unless /proc/self/exe is a sealed memfd.
"""
import fcntl, json, os, shutil, statistics, subprocess, sys, tempfile, time

RUNC = shutil.which("runc") or "/usr/sbin/runc"
SEALS = fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE


def sealed_copy(path):
    fd = os.memfd_create(os.path.basename(path), os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    with open(path, "rb") as f:
        os.write(fd, f.read())
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, SEALS)
    return fd


def bundle(root):
    rootfs = os.path.join(root, "rootfs")
    os.makedirs(os.path.join(rootfs, "bin"))
    for d in ("proc", "dev", "tmp"):
        os.makedirs(os.path.join(rootfs, d))
    shutil.copy("/bin/busybox", os.path.join(rootfs, "bin", "busybox"))
    subprocess.run([RUNC, "spec"], cwd=root, check=True)
    with open(os.path.join(root, "config.json")) as f:
        spec = json.load(f)
    spec["process"]["terminal"] = False
    spec["process"]["args"] = ["/bin/busybox", "true"]
    spec["root"] = {"path": "rootfs", "readonly": True}
    with open(os.path.join(root, "config.json"), "w") as f:
        json.dump(spec, f)


def timed(argv, fd):
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, pass_fds=(fd,))  # both ways spawn alike
    return (time.perf_counter() - start) * 1000


def report(name, plain, sealed):
    for label, xs in (("file  ", plain), ("sealed", sealed)):
        print(f"{name:10} {label} n={len(xs):4} median {statistics.median(xs):7.2f} ms  mean {statistics.mean(xs):7.2f} ms")
    print(f"{name:10} sealed/file median ratio {statistics.median(sealed) / statistics.median(plain):.2f}")


def main():
    n_list = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    n_run = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    fd = sealed_copy(RUNC)
    memfd = f"/proc/self/fd/{fd}"
    work = tempfile.mkdtemp(prefix="solstice-runc-bench-")
    state = os.path.join(work, "state")
    try:
        plain, sealed = [], []
        for _ in range(n_list):
            plain.append(timed([RUNC, "--root", state, "list"], fd))
            sealed.append(timed([memfd, "--root", state, "list"], fd))
        report("list", plain, sealed)
        bundle(work)
        plain, sealed = [], []
        for i in range(n_run):
            plain.append(timed([RUNC, "--root", state, "run", "--bundle", work, f"bench-f{i}"], fd))
            sealed.append(timed([memfd, "--root", state, "run", "--bundle", work, f"bench-s{i}"], fd))
        report("run+init", plain, sealed)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
