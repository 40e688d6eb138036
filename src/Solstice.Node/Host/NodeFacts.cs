using Solstice.Core.Vm;

namespace Solstice.Node;

/// <summary>The sysinfo facts vmadm copies into VMs: server uuid, datacenter, platform build stamp.</summary>
public static class NodeFacts
{
    public static VmNodeFacts Read(string? datacenter = null) =>
        new(ServerUuid(), datacenter, BuildStamp(), DateTimeOffset.UtcNow);

    /// <summary>SMBIOS uuid as SmartOS uses, or the machine id shaped as a uuid where DMI is absent.</summary>
    private static string ServerUuid()
    {
        foreach (string path in new[] { "/sys/class/dmi/id/product_uuid", "/etc/machine-id" })
        {
            try
            {
                string text = File.ReadAllText(path).Trim().ToLowerInvariant();
                if (Guid.TryParse(text, out var guid))
                    return guid.ToString();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
        return Guid.Empty.ToString();
    }

    /// <summary>The PI-style stamp (YYYYMMDDTHHMMSSZ) of this build.</summary>
    private static string BuildStamp()
    {
        var time = File.GetLastWriteTimeUtc(Environment.ProcessPath ?? AppContext.BaseDirectory);
        return time.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
    }
}
