using System.Diagnostics;

namespace Solstice.TestKit;

/// <summary>zvol test images: a raw disk's bytes (compressed as asked), or the same disk as qcow2 made by qemu-img.</summary>
public static class ZvolImages
{
    /// <summary>A disk of size bytes, zero but for a marker at 0, at 1 MiB and in its last block.</summary>
    public static byte[] RawDisk(long size)
    {
        var disk = new byte[size];
        "SOLSTICE-DISK-START"u8.CopyTo(disk);
        "one-mebibyte-in"u8.CopyTo(disk.AsSpan(1 << 20));
        "the-end"u8.CopyTo(disk.AsSpan((int)size - 4096));
        return disk;
    }

    /// <summary>Writes a zvol image of fileBytes (already compressed as compression) with image_size mib.</summary>
    public static TestImage Write(string directory, byte[] fileBytes, long imageSizeMiB, string compression = "none")
    {
        var image = new TestImageBuilder { Type = "zvol", Compression = compression, Name = "test-disk" }.Write(directory, fileBytes);
        image.Manifest["image_size"] = imageSizeMiB;
        image.SaveManifest();
        return image;
    }

    /// <summary>raw converted to qcow2 by qemu-img.</summary>
    public static byte[] Qcow2(byte[] raw, string scratch)
    {
        Directory.CreateDirectory(scratch);
        string input = Path.Combine(scratch, "in.raw"), output = Path.Combine(scratch, "out.qcow2");
        File.WriteAllBytes(input, raw);
        var info = new ProcessStartInfo("qemu-img") { ArgumentList = { "convert", "-f", "raw", "-O", "qcow2", input, output }, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"qemu-img convert: {error}");
        byte[] bytes = File.ReadAllBytes(output);
        File.Delete(input);
        File.Delete(output);
        return bytes;
    }
}
