namespace Solstice.Core.Vm;

/// <summary>One row of the vmadm property table, for a top-level property or a sub-property (<c>nics.*.X</c>).</summary>
public sealed record VmProperty(string Name, VmPropertyType Type)
{
    /// <summary>Brands that may set the property at create (or in <c>add_nics</c> for a sub-property).</summary>
    public VmBrands Create { get; init; }

    /// <summary>Brands that may change the property through update, in the way <see cref="UpdateMode"/> says.</summary>
    public VmBrands Update { get; init; }

    public VmUpdateMode UpdateMode { get; init; }

    /// <summary>Brands for which a create payload must carry the property.</summary>
    public VmBrands RequiredFor { get; init; }

    public VmUpdateEffect Effect { get; init; } = VmUpdateEffect.Reboot;

    /// <summary>Inclusive bounds for integers; integers default to a minimum of 0.</summary>
    public long? Min { get; init; }

    public long? Max { get; init; }

    /// <summary>Integers only: an update to 0 stores 0 instead of removing the property (vmadm keep_zero).</summary>
    public bool KeepZero { get; init; }

    /// <summary>Object arrays: the element property that identifies an element in update_/remove_ (mac, path, target).</summary>
    public string? Key { get; init; }

    /// <summary>Column header for <c>vmadm list -o</c>; null when the property is not a list field.</summary>
    public string? Header { get; init; }

    /// <summary>Minimum column width for <c>vmadm list</c>.</summary>
    public int Width { get; init; }

    /// <summary>Whether lookups and <c>-o</c> address the property's elements as <c>name.N</c> or <c>name.key</c>.</summary>
    public bool Flattenable { get; init; }

    /// <summary>Computed by the system; never accepted in a payload.</summary>
    public bool ReadOnly => Create == VmBrands.None && Update == VmBrands.None;

    public bool IsListField => Header is not null;

    public long EffectiveMin => Min ?? 0;
}
