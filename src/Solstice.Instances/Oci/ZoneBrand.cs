namespace Solstice.Instances.Oci;

/// <summary>The OS-container brands (smartos-interfaces.md §2); HVM brands don't run on an OCI runtime.</summary>
public enum ZoneBrand
{
    /// <summary>Zone root from the image; the platform's /usr, /lib, /bin, /sbin mounted read-only.</summary>
    Joyent,

    /// <summary>Like joyent, without zoneinit.</summary>
    JoyentMinimal,

    /// <summary>The image supplies a complete Linux root.</summary>
    Lx,
}
