namespace Solstice.Core.Vm;

/// <summary>Brand sets as used by the property table (smartos-interfaces.md §1.8: J, M, L, K, H).</summary>
[Flags]
public enum VmBrands
{
    None = 0,
    Joyent = 1,
    JoyentMinimal = 2,
    Lx = 4,
    Kvm = 8,
    Bhyve = 16,

    /// <summary>OS zones: joyent, joyent-minimal, lx.</summary>
    Os = Joyent | JoyentMinimal | Lx,

    /// <summary>Hardware VMs: kvm, bhyve.</summary>
    Hvm = Kvm | Bhyve,

    All = Os | Hvm,
}

/// <summary>Brand names, the VM <c>type</c> they imply, and their classification.</summary>
public static class VmBrand
{
    public const string Joyent = "joyent";
    public const string JoyentMinimal = "joyent-minimal";
    public const string Lx = "lx";
    public const string Kvm = "kvm";
    public const string Bhyve = "bhyve";

    /// <summary>VM.js falls back to joyent when a create payload has no brand.</summary>
    public const string Default = Joyent;

    /// <summary>Returns the flag for a brand name, or <see cref="VmBrands.None"/> for an unknown brand.</summary>
    public static VmBrands Parse(string? brand) => brand switch
    {
        Joyent => VmBrands.Joyent,
        JoyentMinimal => VmBrands.JoyentMinimal,
        Lx => VmBrands.Lx,
        Kvm => VmBrands.Kvm,
        Bhyve => VmBrands.Bhyve,
        _ => VmBrands.None,
    };

    public static bool IsKnown(string? brand) => Parse(brand) != VmBrands.None;

    public static bool IsHvm(string? brand) => (Parse(brand) & VmBrands.Hvm) != 0;

    public static bool IsOs(string? brand) => (Parse(brand) & VmBrands.Os) != 0;

    /// <summary>The read-only <c>type</c> property: OS, LX, KVM or BHYVE (null for an unknown brand).</summary>
    public static string? TypeOf(string? brand) => Parse(brand) switch
    {
        VmBrands.Joyent or VmBrands.JoyentMinimal => "OS",
        VmBrands.Lx => "LX",
        VmBrands.Kvm => "KVM",
        VmBrands.Bhyve => "BHYVE",
        _ => null,
    };
}
