using System.Globalization;
using System.Text;

namespace Solstice.Core.Vm;

/// <summary>The line <c>vmadm events</c> prints per event (smartos-interfaces.md §1.7).</summary>
public static class VmEventFormatter
{
    public const int MaxAliasLength = 30;
    private const int TruncatedAliasLength = 27;

    /// <summary>
    /// <c>[HH:MM:SS.mmmZ] &lt;uuid-first-8&gt; &lt;alias|-&gt; &lt;type&gt;</c> followed, per change, by
    /// <c>: &lt;prettyPath&gt; &lt;action&gt; :: &lt;old JSON&gt; -&gt; &lt;new JSON&gt;</c>. A missing side prints
    /// <c>undefined</c>, as JavaScript string concatenation does. With <paramref name="full"/> (<c>-f</c>) the
    /// full ISO date and the full zonename are printed.
    /// </summary>
    public static string FormatText(VmEvent vmEvent, bool full = false)
    {
        ArgumentNullException.ThrowIfNull(vmEvent);
        string time = full
            ? VmJson.FormatTimestamp(vmEvent.Date)
            : vmEvent.Date.UtcDateTime.ToString("HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        string id = full
            ? vmEvent.Zonename ?? vmEvent.Uuid ?? "-"
            : vmEvent.Uuid is { } uuid ? uuid[..Math.Min(8, uuid.Length)] : "-";
        var sb = new StringBuilder();
        sb.Append('[').Append(time).Append("] ").Append(id).Append(' ')
            .Append(Alias(VmJson.AsString(vmEvent.Vm?["alias"]))).Append(' ').Append(vmEvent.Type);
        foreach (var change in vmEvent.Changes ?? [])
        {
            sb.Append(": ").Append(change.PrettyPath).Append(' ').Append(change.ActionName).Append(" :: ")
                .Append(change.Action == VmChangeAction.Added ? "undefined" : VmJson.Stringify(change.OldValue))
                .Append(" -> ")
                .Append(change.Action == VmChangeAction.Removed ? "undefined" : VmJson.Stringify(change.NewValue));
        }
        return sb.ToString();
    }

    /// <summary><c>vmadm events -j</c>: the event object as one line of JSON.</summary>
    public static string FormatJson(VmEvent vmEvent) => VmJson.Stringify(vmEvent.ToJson());

    private static string Alias(string? alias) => alias switch
    {
        null or "" => "-",
        { Length: > MaxAliasLength } => alias[..TruncatedAliasLength] + "...",
        _ => alias,
    };
}
