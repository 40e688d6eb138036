using Solstice.Linux;

namespace Solstice.Integration.Tests.Zones;

/// <summary>
/// A tiny static program the security tests run inside zones and on the host (busybox has no
/// way to call socket(2) with a chosen family, and the zone images have no compiler or python).
/// Compiled with the host's gcc once per test run.
///   probe euid                      prints euid=N
///   probe as UID PATH ARGS...       drops to UID/GID (no groups) and execs PATH
///   probe socket F T P              socket(F, T, P) on the 64-bit ABI: socket=ok or socket=errnoN
///   probe socket32 F T P            the same through int 0x80 (the i386 ABI's socket, nr 359)
///   probe socketcall32 F T P        the same through the i386 socketcall(SYS_SOCKET) multiplexer
///   probe statfs PATH               size= and avail= in bytes, as df computes them
///   probe fstatfs PATH              the same through open(2) and fstatfs(2)
///   probe statfsloop N PATH         N statfs calls; prints ns= per call
/// </summary>
public static class ZoneProbe
{
    private const string Source = """
        #define _GNU_SOURCE
        #include <errno.h>
        #include <grp.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <sys/statfs.h>
        #include <fcntl.h>
        #include <time.h>
        #include <unistd.h>

        static unsigned int args32[3];

        static long int80(long nr, long a, long b, long c)
        {
            long ret;
            __asm__ volatile ("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
            return ret;
        }

        int main(int argc, char **argv)
        {
            if (argc >= 2 && !strcmp(argv[1], "euid")) {
                printf("euid=%d\n", (int)geteuid());
                return 0;
            }
            if (argc >= 4 && !strcmp(argv[1], "as")) {
                unsigned id = (unsigned)atoi(argv[2]);
                if (setgroups(0, NULL) || setgid(id) || setuid(id)) { perror("drop"); return 2; }
                execv(argv[3], argv + 3);
                perror("exec");
                return 2;
            }
            if (argc >= 5 && !strncmp(argv[1], "socket", 6)) {
                int family = atoi(argv[2]), type = atoi(argv[3]), proto = atoi(argv[4]);
                long fd;
                if (!strcmp(argv[1], "socket")) {
                    fd = socket(family, type, proto);
                    if (fd < 0) fd = -errno;
                } else if (!strcmp(argv[1], "socket32")) {
                    fd = int80(359, family, type, proto);
                } else {
                    args32[0] = family; args32[1] = type; args32[2] = proto;
                    fd = int80(102, 1, (long)(unsigned long)args32, 0);
                }
                if (fd >= 0) { printf("socket=ok\n"); return 0; }
                printf("socket=errno%ld\n", -fd);
                return 1;
            }
            if (argc >= 3 && !strcmp(argv[1], "statfs")) {
                struct statfs s;
                if (statfs(argv[2], &s)) { perror("statfs"); return 1; }
                printf("size=%llu avail=%llu\n", (unsigned long long)s.f_blocks * s.f_bsize,
                    (unsigned long long)s.f_bavail * s.f_bsize);
                return 0;
            }
            if (argc >= 3 && !strcmp(argv[1], "fstatfs")) {
                struct statfs s;
                int fd = open(argv[2], O_RDONLY);
                if (fd < 0 || fstatfs(fd, &s)) { perror("fstatfs"); return 1; }
                printf("size=%llu avail=%llu\n", (unsigned long long)s.f_blocks * s.f_bsize,
                    (unsigned long long)s.f_bavail * s.f_bsize);
                return 0;
            }
            if (argc >= 4 && !strcmp(argv[1], "statfsloop")) {
                struct statfs s;
                struct timespec a, b;
                long n = atol(argv[2]);
                clock_gettime(CLOCK_MONOTONIC, &a);
                for (long i = 0; i < n; i++)
                    if (statfs(argv[3], &s)) { perror("statfs"); return 1; }
                clock_gettime(CLOCK_MONOTONIC, &b);
                printf("ns=%lld\n", ((b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec)) / (n > 0 ? n : 1));
                return 0;
            }
            fprintf(stderr, "usage: probe euid|as|socket|socket32|socketcall32|statfs|fstatfs|statfsloop ...\n");
            return 2;
        }
        """;

    /// <summary>Compiles the probe into directory (static, not PIE: int 0x80 needs its buffer below 4 GiB); returns its path.</summary>
    public static string Build(string directory)
    {
        string source = Path.Combine(directory, "probe.c");
        string binary = Path.Combine(directory, "probe");
        File.WriteAllText(source, Source);
        var result = ProcessCommandRunner.Instance.Run(["gcc", "-O1", "-static", "-no-pie", "-o", binary, source]);
        Assert.True(result.Succeeded, $"gcc: {result.StandardError}");
        File.SetUnixFileMode(binary, (UnixFileMode)0x1ed);
        return binary;
    }

    /// <summary>Runs argv on the host and returns exit code and stdout+stderr.</summary>
    public static (int ExitCode, string Output) RunOnHost(params string[] argv)
    {
        var result = ProcessCommandRunner.Instance.Run(argv);
        return (result.ExitCode, result.StandardOutput + result.StandardError);
    }
}
