using System.Globalization;
using System.Text.Json.Nodes;
using Solstice.Images.Docker;

namespace Solstice.Node;

/// <summary>
/// A `docker: true` zone runs its image's entrypoint and cmd as init, with the image's env,
/// working directory and user, as SmartOS's dockerinit does; when that process exits the zone
/// stops and vmadm shows its exit_status. Applied to the generated runtime spec as data.
/// </summary>
public static class DockerProcess
{
    public static void Apply(JsonObject config, DockerRuntimeConfig docker, string rootfs)
    {
        if (config["process"] is not JsonObject process)
            return;
        if (docker.Argv.Count > 0)
            process["args"] = new JsonArray(docker.Argv.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray());
        var env = (process["env"] as JsonArray)?.Select(e => e!.GetValue<string>()).ToList() ?? [];
        foreach (string entry in docker.Env)
        {
            string key = entry.Split('=', 2)[0];
            env.RemoveAll(e => e.Split('=', 2)[0] == key);
            env.Add(entry);
        }
        process["env"] = new JsonArray(env.Select(e => (JsonNode)JsonValue.Create(e)!).ToArray());
        if (!string.IsNullOrEmpty(docker.WorkingDir))
            process["cwd"] = docker.WorkingDir;
        if (!string.IsNullOrEmpty(docker.User) && ResolveUser(docker.User, rootfs) is { } user)
            process["user"] = new JsonObject { ["uid"] = user.Uid, ["gid"] = user.Gid };
    }

    /// <summary>"uid[:gid]" or "name[:group]", names looked up in the image's /etc/passwd and /etc/group.</summary>
    private static (uint Uid, uint Gid)? ResolveUser(string user, string rootfs)
    {
        string[] parts = user.Split(':', 2);
        uint? uid = Lookup(parts[0], Path.Combine(rootfs, "etc", "passwd"), out uint? primaryGid);
        if (uid is null)
            return null;
        uint gid = primaryGid ?? 0;
        if (parts.Length > 1)
            gid = Lookup(parts[1], Path.Combine(rootfs, "etc", "group"), out _) ?? gid;
        return (uid.Value, gid);
    }

    private static uint? Lookup(string name, string database, out uint? primaryGid)
    {
        primaryGid = null;
        if (uint.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
            return id;
        // The database is the image's (zone-controlled) file: read it, never follow it out of the root.
        if (!File.Exists(database) || new FileInfo(database).LinkTarget is not null)
            return null;
        foreach (string line in File.ReadLines(database))
        {
            string[] fields = line.Split(':');
            if (fields.Length > 3 && fields[0] == name && uint.TryParse(fields[2], CultureInfo.InvariantCulture, out uint found))
            {
                if (uint.TryParse(fields[3], CultureInfo.InvariantCulture, out uint group))
                    primaryGid = group;
                return found;
            }
        }
        return null;
    }
}
