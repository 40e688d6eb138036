using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

/// <summary>The outcome of <see cref="VmUpdater.Apply"/>: the new object and what changed, grouped by effect.</summary>
public sealed class VmUpdateResult
{
    public VmUpdateResult(JsonObject vm, IReadOnlyList<VmChange> changes, IReadOnlyList<VmUpdateEffect> effects)
    {
        if (changes.Count != effects.Count)
            throw new ArgumentException("Every change needs an effect.", nameof(effects));
        Vm = vm;
        Changes = changes;
        Effects = effects;
    }

    /// <summary>The updated VM object (a new object; the input is not modified).</summary>
    public JsonObject Vm { get; }

    /// <summary>Every difference between the old and new object, including derived ones (max_swap raised, ...).</summary>
    public IReadOnlyList<VmChange> Changes { get; }

    /// <summary>The effect of each entry of <see cref="Changes"/>, by index.</summary>
    public IReadOnlyList<VmUpdateEffect> Effects { get; }

    public IReadOnlyList<string> ChangedPaths => [.. Changes.Select(c => c.PrettyPath)];

    /// <summary>Changes to apply to a running VM now (resource controls, quota, firewall, routes).</summary>
    public IReadOnlyList<string> LivePaths => PathsWith(VmUpdateEffect.Live);

    /// <summary>Changes that take effect at the next boot.</summary>
    public IReadOnlyList<string> RebootPaths => PathsWith(VmUpdateEffect.Reboot);

    /// <summary>Changes that are only stored.</summary>
    public IReadOnlyList<string> MetadataPaths => PathsWith(VmUpdateEffect.Metadata);

    public bool HasChanges => Changes.Count > 0;

    public bool RebootRequired => Effects.Contains(VmUpdateEffect.Reboot);

    private List<string> PathsWith(VmUpdateEffect effect) =>
        [.. Changes.Where((_, i) => Effects[i] == effect).Select(c => c.PrettyPath)];
}
