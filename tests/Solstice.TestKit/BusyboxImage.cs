using Solstice.Storage;

namespace Solstice.TestKit;

/// <summary>
/// A minimal zone image made directly on a pool, the way imgadm leaves one: dataset
/// &lt;pool&gt;/&lt;uuid&gt; holding root/ (static busybox, an init that exits on SIGTERM, passwd),
/// snapshotted @final. For tests that need an image but aren't about images.
/// </summary>
public static class BusyboxImage
{
    public const string Uuid = "5b6f0b2e-0c6b-4f43-9d70-000000000001";

    private static readonly string[] s_applets =
    [
        "sh", "ls", "cat", "echo", "sleep", "hostname", "id", "ps", "mount", "umount", "uname", "mkdir", "rm", "cp", "mv",
        "ln", "head", "tail", "grep", "sed", "wc", "dd", "df", "kill", "env", "true", "false", "test", "touch", "chmod",
        "date", "mknod", "ip", "ping", "nc", "insmod", "modprobe", "reboot", "halt", "nproc", "seq", "cut", "tr", "stat", "readlink", "sync",
    ];

    public static DatasetName Install(StoragePool pool, string uuid = Uuid)
    {
        var dataset = pool.Root.Child(uuid);
        pool.Create(dataset);
        string root = Path.Combine(pool.PathOf(dataset), "root");
        foreach (string dir in new[] { "bin", "sbin", "etc", "root", "tmp", "var/tmp", "var/log", "proc", "sys", "dev", "home", "opt", "usr", "run" })
            Directory.CreateDirectory(Path.Combine(root, dir));
        string busybox = File.Exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox";
        File.Copy(busybox, Path.Combine(root, "bin", "busybox"));
        File.SetUnixFileMode(Path.Combine(root, "bin", "busybox"), (UnixFileMode)0x1ed);
        foreach (string applet in s_applets)
            File.CreateSymbolicLink(Path.Combine(root, "bin", applet), "busybox");
        File.WriteAllText(Path.Combine(root, "sbin", "init"), "#!/bin/sh\ntrap 'exit 0' TERM\nwhile :; do sleep 1000 & wait; done\n");
        File.SetUnixFileMode(Path.Combine(root, "sbin", "init"), (UnixFileMode)0x1ed);
        File.WriteAllText(Path.Combine(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
        File.WriteAllText(Path.Combine(root, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
        File.SetUnixFileMode(Path.Combine(root, "tmp"), (UnixFileMode)0x3ff);
        var final = dataset with { Snapshot = "final" };
        pool.Snapshot(final);
        return final;
    }
}
