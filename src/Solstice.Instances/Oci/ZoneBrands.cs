using Solstice.Core;

namespace Solstice.Instances.Oci;

/// <summary>Brand names as vmadm spells them.</summary>
public static class ZoneBrands
{
    public static string Name(ZoneBrand brand) => brand switch
    {
        ZoneBrand.Joyent => "joyent",
        ZoneBrand.JoyentMinimal => "joyent-minimal",
        ZoneBrand.Lx => "lx",
        _ => throw new ArgumentOutOfRangeException(nameof(brand)),
    };

    public static ZoneBrand Parse(string name) => name switch
    {
        "joyent" => ZoneBrand.Joyent,
        "joyent-minimal" => ZoneBrand.JoyentMinimal,
        "lx" => ZoneBrand.Lx,
        _ => throw new SolsticeException(ErrorCode.InvalidArgument, $"brand '{name}' is not an OS-container brand (joyent, joyent-minimal, lx)"),
    };

    /// <summary>True when the zone runs the platform's (host's) userland rather than the image's.</summary>
    public static bool UsesPlatformUserland(ZoneBrand brand) => brand is ZoneBrand.Joyent or ZoneBrand.JoyentMinimal;
}
