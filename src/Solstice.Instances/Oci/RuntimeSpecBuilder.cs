using System.Text.Json.Nodes;
using Solstice.Core;

namespace Solstice.Instances.Oci;

/// <summary>
/// Renders a ZoneRuntimeSpec as an OCI runtime config.json (runtime-spec 1.0.2), as data: the same
/// input always gives the same document, key order included, so it can be golden-tested and diffed.
/// </summary>
public static partial class RuntimeSpecBuilder
{
    public const string OciVersion = "1.0.2";

    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    // pkgsrc lives in /opt/local on joyent zones; SmartOS puts it on root's PATH.
    public const string JoyentPath = "/usr/local/sbin:/usr/local/bin:/opt/local/sbin:/opt/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Builds for the running host (OciHostFeatures.Detect()).</summary>
    /// <exception cref="SolsticeException">InvalidArgument listing every problem of the spec.</exception>
    public static JsonObject Build(ZoneRuntimeSpec spec) => Build(spec, OciHostFeatures.Detect());

    /// <exception cref="SolsticeException">InvalidArgument listing every problem of the spec.</exception>
    public static JsonObject Build(ZoneRuntimeSpec spec, OciHostFeatures host)
    {
        var problems = spec.Validate();
        if (problems.Count > 0)
            throw new SolsticeException(ErrorCode.InvalidArgument, $"invalid zone spec: {string.Join("; ", problems)}");

        return new JsonObject
        {
            ["ociVersion"] = OciVersion,
            ["process"] = BuildProcess(spec, host),
            ["root"] = new JsonObject { ["path"] = spec.RootfsPath, ["readonly"] = false },
            ["hostname"] = spec.Hostname,
            ["mounts"] = BuildMounts(spec, host),
            ["annotations"] = Annotations(spec),
            ["linux"] = BuildLinux(spec, host),
        };
    }

    private static JsonObject Annotations(ZoneRuntimeSpec spec)
    {
        var annotations = new JsonObject
        {
            ["org.solstice.brand"] = ZoneBrands.Name(spec.Brand),
            ["org.solstice.uuid"] = spec.Uuid,
        };
        if (spec.SystemdInit)
            annotations[StopSignalAnnotation] = SystemdStopSignal.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return annotations;
    }

    private static JsonObject BuildProcess(ZoneRuntimeSpec spec, OciHostFeatures host)
    {
        var capabilities = Capabilities(spec);
        return new JsonObject
        {
            ["terminal"] = spec.Terminal,
            ["user"] = new JsonObject { ["uid"] = 0, ["gid"] = 0 },
            ["args"] = Strings(spec.EffectiveInitArgv),
            ["env"] = Strings(Environment(spec)),
            ["cwd"] = "/",
            ["capabilities"] = new JsonObject
            {
                ["bounding"] = Strings(capabilities),
                ["effective"] = Strings(capabilities),
                ["permitted"] = Strings(capabilities),
            },
            ["rlimits"] = Rlimits(spec.Limits, host),
            // init and the zone's setuid programs (su, passwd, ping) must be able to gain privileges.
            ["noNewPrivileges"] = false,
        };
    }

    private static List<string> Environment(ZoneRuntimeSpec spec)
    {
        var defaults = new List<(string Key, string Value)>
        {
            ("PATH", ZoneBrands.UsesPlatformUserland(spec.Brand) ? JoyentPath : DefaultPath),
        };
        if (spec.Terminal)
            defaults.Add(("TERM", "xterm"));
        if (spec.SystemdInit)
            defaults.Add(("container", ContainerName));
        var env = defaults.Where(d => !spec.Environment.ContainsKey(d.Key)).Select(d => $"{d.Key}={d.Value}").ToList();
        env.AddRange(spec.Environment.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"));
        return env;
    }

    private static JsonObject BuildLinux(ZoneRuntimeSpec spec, OciHostFeatures host)
    {
        var linux = new JsonObject();
        if (spec.UserNamespace is { } map)
        {
            linux["uidMappings"] = new JsonArray(IdMap(map.HostUid, map.Size));
            linux["gidMappings"] = new JsonArray(IdMap(map.HostGid, map.Size));
        }
        var resources = BuildResources(spec.Limits, host);
        resources.Insert(0, "devices", DeviceRules());
        linux["resources"] = resources;
        linux["cgroupsPath"] = spec.EffectiveCgroupsPath;
        linux["namespaces"] = Namespaces(spec);
        linux["devices"] = Devices();
        linux["seccomp"] = Seccomp(spec);
        linux["maskedPaths"] = Strings(MaskedPaths);
        linux["readonlyPaths"] = Strings(ReadonlyPaths);
        return linux;
    }

    private static JsonObject IdMap(uint hostId, uint size) =>
        new() { ["containerID"] = 0, ["hostID"] = hostId, ["size"] = size };

    private static JsonArray Namespaces(ZoneRuntimeSpec spec)
    {
        var network = new JsonObject { ["type"] = "network" };
        if (spec.NetworkNamespacePath is { } path)
            network["path"] = path;
        var namespaces = new JsonArray(
            new JsonObject { ["type"] = "pid" },
            network,
            new JsonObject { ["type"] = "ipc" },
            new JsonObject { ["type"] = "uts" },
            new JsonObject { ["type"] = "mount" },
            new JsonObject { ["type"] = "cgroup" });
        if (spec.UserNamespace is not null)
            namespaces.Append(new JsonObject { ["type"] = "user" });
        return namespaces;
    }

    internal static JsonArray Strings(IEnumerable<string> values)
    {
        var array = new JsonArray();
        foreach (string value in values)
            array.Append(value);
        return array;
    }
}
