namespace Solstice.Network.Firewall;

/// <summary>
/// One FROM/TO target. Value holds the address, CIDR, tag name or VM uuid as written (empty for the
/// wildcards); TagValue is set only for <c>tag k = v</c>.
/// </summary>
public sealed record FwTarget(FwTargetKind Kind, string Value = "", string? TagValue = null)
{
    public static FwTarget Any { get; } = new(FwTargetKind.Any);

    public static FwTarget AllVms { get; } = new(FwTargetKind.AllVms);

    public static FwTarget Ip(string address) => new(FwTargetKind.Ip, address);

    public static FwTarget Subnet(string cidr) => new(FwTargetKind.Subnet, cidr);

    public static FwTarget Tag(string name, string? value = null) => new(FwTargetKind.Tag, name, value);

    public static FwTarget Vm(string uuid) => new(FwTargetKind.Vm, uuid);

    /// <summary>True for the targets that make a rule apply to VMs: vm, tag and all vms.</summary>
    public bool SelectsVms => Kind is FwTargetKind.Vm or FwTargetKind.Tag or FwTargetKind.AllVms;

    public override string ToString() => Kind switch
    {
        FwTargetKind.Any => "any",
        FwTargetKind.AllVms => "all vms",
        FwTargetKind.Ip => $"ip {Value}",
        FwTargetKind.Subnet => $"subnet {Value}",
        FwTargetKind.Vm => $"vm {Value}",
        _ => TagValue is null ? $"tag {FwTagText.Quote(Value)}" : $"tag {FwTagText.Quote(Value)} = {FwTagText.Quote(TagValue)}",
    };
}
