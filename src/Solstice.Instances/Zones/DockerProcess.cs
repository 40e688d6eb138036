using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Solstice.Core;
using Solstice.Images.Docker;
using Solstice.Linux;
using Solstice.Linux.Interop;

namespace Solstice.Instances.Zones;

/// <summary>
/// A `docker: true` zone runs one process as init, as SmartOS's dockerinit does, and when it exits
/// the zone stops and vmadm shows its exit_status. dockerinit takes everything from the zone's
/// internal_metadata, where Triton's docker layer puts `docker run`'s result: `docker:entrypoint`
/// and `docker:cmd` (JSON arrays of strings, entrypoint first), `docker:env` (after
/// `docker:linkEnv`, a JSON array of "NAME=value", each replacing an earlier NAME), `docker:workdir`
/// (a path from "/", "~" for the user's home) and `docker:user` ("uid", "uid:gid", "name" or
/// "name:group", looked up in the image's /etc/passwd and /etc/group; the user's primary group
/// when none is given; root when unset). What the metadata leaves unset comes from the image's own
/// config, as docker does: an entrypoint given without a cmd drops the image's cmd, a cmd given
/// alone runs after the image's entrypoint. Applied to the generated runtime spec as data.
/// </summary>
public static class DockerProcess
{
    public const string EntrypointKey = "docker:entrypoint";
    public const string CmdKey = "docker:cmd";
    public const string EnvKey = "docker:env";
    public const string LinkEnvKey = "docker:linkEnv";
    public const string WorkdirKey = "docker:workdir";
    public const string UserKey = "docker:user";

    // dockerinit's defaults, before the image's and the metadata's environment.
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private const string DefaultTerm = "xterm";

    /// <summary>Whether the VM's internal_metadata sets the process itself (so an image config is optional).</summary>
    public static bool HasProcess(JsonObject? internalMetadata) =>
        internalMetadata is not null && (internalMetadata.ContainsKey(EntrypointKey) || internalMetadata.ContainsKey(CmdKey));

    public static void Apply(JsonObject config, DockerRuntimeConfig? image, JsonObject? internalMetadata, string rootfs)
    {
        if (config["process"] is not JsonObject process)
            return;
        var entrypoint = Array(internalMetadata, EntrypointKey);
        var cmd = Array(internalMetadata, CmdKey);
        List<string> argv = [.. entrypoint ?? image?.Entrypoint ?? [], .. cmd ?? (entrypoint is not null ? [] : image?.Cmd ?? [])];
        if (argv.Count == 0)
            throw new SolsticeException(ErrorCode.InvalidArgument,
                $"docker zone: no command to run (internal_metadata sets neither {EntrypointKey} nor {CmdKey}, and the image has no Entrypoint or Cmd)");
        process["args"] = new JsonArray(argv.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray());

        string? userText = Text(internalMetadata, UserKey) ?? image?.User;
        var user = ResolveUser(string.IsNullOrEmpty(userText) ? "0" : userText, rootfs);
        process["user"] = new JsonObject { ["uid"] = user.Uid, ["gid"] = user.Gid };

        var env = (process["env"] as JsonArray)?.Select(e => e!.GetValue<string>()).ToList() ?? [];
        Set(env, "TERM=" + DefaultTerm);
        Set(env, "HOME=" + (user.Home ?? "/"));
        Set(env, "PATH=" + DefaultPath);
        foreach (string entry in image?.Env ?? [])
            Set(env, entry);
        foreach (string entry in (Array(internalMetadata, LinkEnvKey) ?? []).Concat(Array(internalMetadata, EnvKey) ?? []))
            Set(env, entry);
        process["env"] = new JsonArray(env.Select(e => (JsonNode)JsonValue.Create(e)!).ToArray());

        string? workdir = Text(internalMetadata, WorkdirKey) ?? image?.WorkingDir;
        if (!string.IsNullOrEmpty(workdir))
        {
            if (workdir.StartsWith('~') && user.Home is { } home)
                workdir = home + "/" + workdir[1..];
            process["cwd"] = "/" + string.Join('/', workdir.Split('/', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    /// <summary>NAME=value replaces an earlier NAME; an entry without '=' or with an empty name is ignored (dockerinit).</summary>
    private static void Set(List<string> env, string entry)
    {
        int eq = entry.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
            return;
        string prefix = entry[..(eq + 1)];
        env.RemoveAll(e => e.StartsWith(prefix, StringComparison.Ordinal));
        env.Add(entry);
    }

    /// <summary>A metadata value that is a JSON-encoded array of strings; null when unset.</summary>
    private static List<string>? Array(JsonObject? metadata, string key)
    {
        if (Text(metadata, key) is not { } text)
            return null;
        try
        {
            if (JsonNode.Parse(text) is JsonArray array && array.All(e => e?.GetValueKind() == JsonValueKind.String))
                return array.Select(e => e!.GetValue<string>()).ToList();
        }
        catch (JsonException)
        {
        }
        throw new SolsticeException(ErrorCode.InvalidArgument,
            $"docker zone: internal_metadata {key} must be a JSON array of strings (e.g. [\"sleep\",\"1000\"]), not {Describe(text)}");
    }

    private static string? Text(JsonObject? metadata, string key) =>
        metadata?[key] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static string Describe(string text) => "'" + (text.Length > 60 ? text[..57] + "..." : text) + "'";

    /// <summary>
    /// dockerinit's lookup: user then group, each by name in the image's database and else as a
    /// number; a name that is not there is an error. Without a group, the user's primary group
    /// (0 for a uid that has no passwd entry).
    /// </summary>
    internal static (uint Uid, uint Gid, string? Home) ResolveUser(string user, string rootfs)
    {
        int colon = user.IndexOf(':', StringComparison.Ordinal);
        string name = colon < 0 ? user : user[..colon];
        string? group = colon < 0 ? null : user[(colon + 1)..];
        var passwd = Database(rootfs, "etc/passwd");
        string[]? entry = passwd.FirstOrDefault(f => f[0] == name);
        uint uid;
        if (entry is not null && uint.TryParse(entry[2], NumberStyles.None, CultureInfo.InvariantCulture, out uid))
        {
        }
        else if (uint.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out uid))
        {
            entry = passwd.FirstOrDefault(f => f[2] == name);
        }
        else
        {
            throw new SolsticeException(ErrorCode.InvalidArgument, $"docker zone: {UserKey} '{user}': no user '{name}' in the image's /etc/passwd");
        }
        uint gid = entry is not null && uint.TryParse(entry[3], NumberStyles.None, CultureInfo.InvariantCulture, out uint primary) ? primary : 0;
        if (group is not null)
        {
            var groups = Database(rootfs, "etc/group");
            if (groups.FirstOrDefault(f => f[0] == group) is { } g && uint.TryParse(g[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint byGroup))
                gid = byGroup;
            else if (!uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out gid))
                throw new SolsticeException(ErrorCode.InvalidArgument, $"docker zone: {UserKey} '{user}': no group '{group}' in the image's /etc/group");
        }
        string? home = entry is { Length: > 5 } && entry[5].Length > 0 ? entry[5] : null;
        return (uid, gid, home);
    }

    /// <summary>The colon-separated lines of a database in the zone's root (read inside it: the zone controls it).</summary>
    private static List<string[]> Database(string rootfs, string path)
    {
        string? text;
        try
        {
            text = RootedFile.ReadText(rootfs, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SyscallException or SolsticeException)
        {
            throw new SolsticeException(ErrorCode.InvalidState, $"docker zone: cannot read the image's /{path}: {ex.Message}", ex);
        }
        return text is null ? [] : text.Split('\n').Select(l => l.Split(':')).Where(f => f.Length > 3).ToList();
    }
}
