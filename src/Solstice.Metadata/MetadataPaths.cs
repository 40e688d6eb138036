namespace Solstice.Metadata;

/// <summary>Where guests look for the metadata socket (mdata-client plat/sunos.c; smartos-interfaces.md §4.1).</summary>
public static class MetadataPaths
{
    /// <summary>The directory of the socket inside a joyent-branded zone (SmartOS lofs-mounts it read-only).</summary>
    public const string ZoneControlDirectory = "/.zonecontrol";

    /// <summary>The same inside an lx zone, whose native illumos tree is under /native.</summary>
    public const string LxZoneControlDirectory = "/native/.zonecontrol";

    public const string SocketName = "metadata.sock";

    /// <summary>The guest tools' search order: joyent, lx, then the SDC 6 location.</summary>
    public static IReadOnlyList<string> GuestSocketPaths { get; } =
    [
        ZoneControlDirectory + "/" + SocketName,
        LxZoneControlDirectory + "/" + SocketName,
        "/var/run/smartdc/metadata.sock",
    ];

    /// <summary>Overrides the search with one path (tests, unusual layouts).</summary>
    public const string SocketOverrideVariable = "SOLSTICE_MDATA_SOCKET";

    /// <summary>The directory, inside the guest, where a zone of this brand expects the socket.</summary>
    public static string GuestZoneControlDirectory(string brand) => brand == "lx" ? LxZoneControlDirectory : ZoneControlDirectory;
}
