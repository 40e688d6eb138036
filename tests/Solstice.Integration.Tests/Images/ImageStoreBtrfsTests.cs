using System.Diagnostics;
using Solstice.Cli;
using Solstice.Core;
using Solstice.Images;
using Solstice.Linux.Interop;
using Solstice.TestKit;

namespace Solstice.Integration.Tests.Images;

/// <summary>
/// ImageStore and imgadm on a real loop-file btrfs pool: images are subvolumes with a read-only
/// @final snapshot, failures leave no subvolume and no index entry, and the busybox image built by
/// scripts/images/build-busybox.sh installs and runs.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class ImageStoreBtrfsTests
{
    private static readonly string[] s_layout = ["zones", "zones/archive", "zones/config", "zones/cores", "zones/images"];

    private static IReadOnlyList<string> Datasets(LoopPool pool) =>
        pool.Pool.List(null, recursive: true, filesystems: true, snapshots: true).Select(r => r.Name).Order(StringComparer.Ordinal).ToList();

    private static void AssertNothingInstalled(LoopPool pool, ImageStore store)
    {
        Assert.Equal(s_layout, Datasets(pool));
        Assert.Empty(Directory.EnumerateFiles(store.IndexDirectory, "*.json"));
        Assert.Empty(Directory.EnumerateFiles(store.IndexDirectory, "*.file"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.PartialDirectory));
    }

    [PrivilegedFact]
    public void Install_list_clone_and_delete_on_btrfs()
    {
        using var pool = new LoopPool();
        var store = new ImageStore(pool.Pool);
        var image = new TestImageBuilder().Rootfs().File("./etc/owned", "x", uid: 1000, gid: 1000).Write(Path.Combine(pool.Directory, "files"));

        store.Install(image.ManifestPath, image.FilePath);
        string dataset = store.DatasetOf(image.Uuid).Dataset;
        Assert.Equal([.. s_layout, dataset, $"{dataset}@final"], Datasets(pool).OrderBy(n => n.Contains(image.Uuid.ToString())));
        Assert.True(FileStat.IsSubvolumeRoot(pool.Pool.PathOf(store.DatasetOf(image.Uuid))));
        Assert.Equal([image.Uuid], store.List().Select(i => i.Uuid));
        Assert.True(store.Exists(image.Uuid));

        var vm = pool.Pool.Root.Child("vm1");
        pool.Pool.Clone(store.SnapshotOf(image.Uuid), vm);
        Assert.Equal("test\n", File.ReadAllText(Path.Combine(pool.Pool.PathOf(vm), "root", "etc", "hostname")));
        var refused = Assert.Throws<SolsticeException>(() => store.Delete(image.Uuid));
        Assert.Equal($"image {image.Uuid} has 1 dependent clone(s): zones/vm1", refused.Message);

        pool.Pool.Destroy(vm, recursive: false);
        store.Delete(image.Uuid);
        AssertNothingInstalled(pool, store);
    }

    [PrivilegedFact]
    public void A_wrong_sha1_creates_nothing()
    {
        using var pool = new LoopPool();
        var store = new ImageStore(pool.Pool);
        var image = new TestImageBuilder().Rootfs().Write(Path.Combine(pool.Directory, "files"));
        image.Manifest["files"]![0]!["sha1"] = new string('f', 40);
        image.SaveManifest();
        var ex = Assert.Throws<SolsticeException>(() => store.Install(image.ManifestPath, image.FilePath));
        Assert.StartsWith($"image {image.Uuid}: sha1 mismatch: expected {new string('f', 40)}, got ", ex.Message);
        AssertNothingInstalled(pool, store);
    }

    [PrivilegedFact]
    public void A_truncated_file_creates_nothing()
    {
        using var pool = new LoopPool();
        var store = new ImageStore(pool.Pool);
        var image = new TestImageBuilder().Rootfs().Write(Path.Combine(pool.Directory, "files"));
        using (var file = new FileStream(image.FilePath, FileMode.Open))
            file.SetLength(file.Length - 10);
        var ex = Assert.Throws<SolsticeException>(() => store.Install(image.ManifestPath, image.FilePath));
        Assert.Contains("size mismatch", ex.Message);
        AssertNothingInstalled(pool, store);
    }

    [PrivilegedFact]
    public void A_failure_during_extraction_removes_the_subvolume()
    {
        using var pool = new LoopPool();
        var store = new ImageStore(pool.Pool);
        var image = new TestImageBuilder().Rootfs().Symlink("./escape", "/").File("./escape/etc/pwned", "x")
            .Write(Path.Combine(pool.Directory, "files"));
        var ex = Assert.Throws<SolsticeException>(() => store.Install(image.ManifestPath, image.FilePath));
        Assert.Equal($"image {image.Uuid}: refusing tarball entry './escape/etc/pwned': path component 'escape' is a symlink", ex.Message);
        Assert.False(File.Exists("/etc/pwned"));
        AssertNothingInstalled(pool, store);
    }

    [PrivilegedFact]
    public void The_busybox_image_installs_with_imgadm_and_runs()
    {
        using var pool = new LoopPool();
        string output = Path.Combine(pool.Directory, "out");
        var build = RunProcess("bash", Path.Combine(RepoRoot(), "scripts", "images", "build-busybox.sh"), output);
        Assert.True(build.ExitCode == 0, build.Error);
        string zoneManifest = Directory.GetFiles(output, "busybox-*.json").Single(f => char.IsAsciiDigit(Path.GetFileName(f)["busybox-".Length]));
        string lxManifest = Directory.GetFiles(output, "busybox-lx-*.json").Single();
        string tarball = Directory.GetFiles(output, "busybox-*.tar.gz").Single();

        foreach (string manifest in new[] { zoneManifest, lxManifest })
        {
            var install = Cli(pool, "imgadm", "install", "-m", manifest, "-f", tarball);
            Assert.True(install.ExitCode == 0, install.Error);
        }
        var list = Cli(pool, "imgadm", "list", "-H", "-o", "name,type,os", "-s", "name");
        Assert.Equal("busybox     zone-dataset  linux\nbusybox-lx  lx-dataset    linux\n", list.Out);

        var store = new ImageStore(pool.Pool);
        foreach (var image in store.List())
        {
            string root = store.RootOf(image.Uuid);
            Assert.True(pool.Pool.Exists(store.SnapshotOf(image.Uuid)));
            Assert.Equal("hello\n", RunProcess("chroot", root, "/bin/sh", "-c", "echo hello").Output);
            Assert.Equal("busybox\n", RunProcess("chroot", root, "/bin/cat", "/etc/hostname").Output);
            Assert.Equal("/bin/busybox", new FileInfo(Path.Combine(root, "sbin", "init")).LinkTarget);
            Assert.Equal("1777 0:0\n", RunProcess("stat", "-c", "%a %u:%g", Path.Combine(root, "tmp")).Output);
            foreach (string dir in new[] { "root", "home", "opt", "var/svc", "var/tmp", "dev", "proc", "sys" })
                Assert.True(Directory.Exists(Path.Combine(root, dir)), dir);
        }
        string lxUuid = store.List().Single(i => i.Manifest.Type == "lx-dataset").Uuid.ToString();
        Assert.Equal(0, Cli(pool, "imgadm", "delete", lxUuid).ExitCode);
        Assert.Equal(3, Cli(pool, "imgadm", "get", lxUuid).ExitCode);
        Assert.Single(store.List());
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Solstice.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Solstice.slnx not found above " + AppContext.BaseDirectory);
    }

    private static (int ExitCode, string Out, string Error) Cli(LoopPool pool, string tool, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, () => Stream.Null, () => Stream.Null, pool.ConfigPath);
        int code = Program.Run(tool, args, context);
        return (code, output.ToString(), error.ToString());
    }

    private static (int ExitCode, string Output, string Error) RunProcess(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.GetAwaiter().GetResult());
    }
}
