using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Linux;

namespace Solstice.Network.Links;

public enum NicTagKind
{
    /// <summary>Bound to a physical NIC (by mac or interface name).</summary>
    Physical,

    /// <summary>An etherstub: a bridge with no uplink, local to the node.</summary>
    Local,
}

/// <summary>
/// A nic tag (smartos-interfaces.md §6.2). A physical tag names its NIC by Mac or Link; the NIC is
/// enslaved to the tag's bridge only when AttachUplink is set (an explicit operator choice: Solstice
/// never bridges a physical interface on its own).
/// </summary>
public sealed record NicTag(string Name, NicTagKind Kind)
{
    public string? Mac { get; init; }

    public string? Link { get; init; }

    public int? Mtu { get; init; }

    public bool AttachUplink { get; init; }

    /// <summary>nictagadm's rule: 1-31 characters of [A-Za-z0-9_].</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 31 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    public static void CheckName(string name)
    {
        if (!IsValidName(name))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"invalid nic tag name '{name}': 1-31 characters of a-z, A-Z, 0-9 and _");
    }

    public static void CheckMtu(int mtu)
    {
        if (mtu is < 1500 or > 9000)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"mtu {mtu.ToString(CultureInfo.InvariantCulture)} is out of range 1500-9000");
    }
}

/// <summary>
/// The node's network configuration: its nic tags, stored as JSON at a path the caller chooses
/// (/etc/solstice/network.json, &lt;pool&gt;/config/network.json) and replaced atomically.
/// </summary>
public sealed class NicTagConfig
{
    private readonly List<NicTag> _tags;

    public NicTagConfig(IEnumerable<NicTag>? tags = null)
    {
        _tags = [];
        foreach (var tag in tags ?? [])
            Add(tag);
    }

    public IReadOnlyList<NicTag> Tags => _tags;

    public NicTag? Find(string name) => _tags.FirstOrDefault(t => t.Name == name);

    public void Add(NicTag tag)
    {
        NicTag.CheckName(tag.Name);
        if (tag.Mtu is { } mtu)
            NicTag.CheckMtu(mtu);
        if (tag.Mac is { } mac)
            tag = tag with { Mac = NicSpec.NormalizeMac(mac) };
        if (tag.Link is { } link && !LinkNames.IsValidInterface(link))
            throw new SolsticeException(ErrorCode.InvalidArgument, $"'{link}' is not an interface name");
        if (Find(tag.Name) is not null)
            throw new SolsticeException(ErrorCode.AlreadyExists, $"nic tag \"{tag.Name}\" already exists");
        _tags.Add(tag);
    }

    public void Replace(NicTag tag)
    {
        int i = _tags.FindIndex(t => t.Name == tag.Name);
        if (i < 0)
            throw new SolsticeException(ErrorCode.NotFound, $"nic tag \"{tag.Name}\" does not exist");
        var old = _tags[i];
        _tags.RemoveAt(i);
        try
        {
            Add(tag);
        }
        catch
        {
            _tags.Insert(i, old);
            throw;
        }
    }

    public bool Remove(string name) => _tags.RemoveAll(t => t.Name == name) > 0;

    /// <summary>Reads the file; a missing file is an empty configuration.</summary>
    public static NicTagConfig Load(string path)
    {
        if (!File.Exists(path))
            return new NicTagConfig();
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"{path}: {e.Message}", e);
        }
    }

    public void Save(string path) => AtomicFile.WriteText(path, ToJson());

    public static NicTagConfig Parse(string json)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new SolsticeException(ErrorCode.InvalidArgument, "network config is not a JSON object");
        var config = new NicTagConfig();
        foreach (var node in root["nic_tags"] as JsonArray ?? [])
        {
            if (node is not JsonObject o)
                throw new SolsticeException(ErrorCode.InvalidArgument, "a nic tag is not an object");
            string name = o["name"]?.GetValue<string>() ?? throw new SolsticeException(ErrorCode.InvalidArgument, "a nic tag has no name");
            var kind = o["kind"]?.GetValue<string>() switch
            {
                "physical" => NicTagKind.Physical,
                "local" or "etherstub" => NicTagKind.Local,
                var k => throw new SolsticeException(ErrorCode.InvalidArgument, $"nic tag {name}: unknown kind '{k}'"),
            };
            config.Add(new NicTag(name, kind)
            {
                Mac = o["mac"]?.GetValue<string>(),
                Link = o["link"]?.GetValue<string>(),
                Mtu = o["mtu"]?.GetValue<int>(),
                AttachUplink = o["attach_uplink"]?.GetValue<bool>() ?? false,
            });
        }
        return config;
    }

    public string ToJson()
    {
        var tags = new JsonArray();
        foreach (var t in _tags)
        {
            var o = new JsonObject { ["name"] = t.Name, ["kind"] = t.Kind == NicTagKind.Physical ? "physical" : "local" };
            if (t.Mac is not null)
                o["mac"] = t.Mac;
            if (t.Link is not null)
                o["link"] = t.Link;
            if (t.Mtu is not null)
                o["mtu"] = t.Mtu;
            if (t.AttachUplink)
                o["attach_uplink"] = true;
            tags.Add((JsonNode)o);
        }
        var root = new JsonObject { ["version"] = 1, ["nic_tags"] = tags };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
