using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Core.Vm;

namespace Solstice.Instances.Hvm;

/// <summary>
/// The HVM driver (kvm and bhyve brands on QEMU). A stub until its building blocks land: it
/// reports itself unavailable, so the node refuses those brands with a sentence, and it holds
/// no instances.
/// </summary>
public sealed class HvmDriver : IInstanceDriver
{
    private static readonly InstanceDriverInfo s_info = new()
    {
        Name = "hvm",
        Brands = [new InstanceBrand(VmBrand.Kvm, ["zvol"]), new InstanceBrand(VmBrand.Bhyve, ["zvol"])],
        Unavailable = "the QEMU driver for HVM brands is not yet available",
        SurvivesDaemonRestart = true,
        Console = InstanceConsole.Serial,
    };

    public InstanceDriverInfo Info => s_info;

    public void Create(JsonObject vm) => throw NotYet();

    public void Prepare(JsonObject vm) => throw NotYet();

    public InstanceBoot Start(JsonObject vm) => throw NotYet();

    public void Started(JsonObject vm) => throw NotYet();

    public void Signal(string uuid, int signal, bool all) => throw NotYet();

    public int StopSignal(string uuid) => 15;

    public void Delete(string uuid, bool force)
    {
    }

    public InstanceState? State(string uuid) => null;

    public IReadOnlyList<string> List() => [];

    public void Adopt(JsonObject vm) => throw NotYet();

    public void Update(JsonObject vm) => throw NotYet();

    public IReadOnlyList<string> ExecCommand(string uuid, IReadOnlyList<string> argv, bool tty) => throw NotYet();

    private static SolsticeException NotYet() => new(ErrorCode.NotSupported, s_info.Unavailable!);
}
