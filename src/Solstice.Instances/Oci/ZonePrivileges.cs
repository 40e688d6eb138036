namespace Solstice.Instances.Oci;

/// <summary>
/// Reads a zone's limit_priv (a comma list in illumos priv_str_to_set(3C) form: "default", "all",
/// "zone", "none", "basic", privilege names, "-name" or "!name" to remove) for the privileges that
/// have a Linux counterpart Solstice enforces. Only net_rawaccess is mapped today; the other
/// privileges of the default set are covered by the fixed capability set (RuntimeSpecBuilder.Capabilities).
/// </summary>
public static class ZonePrivileges
{
    public const string NetRawAccess = "net_rawaccess";

    /// <summary>
    /// Whether the list grants the privilege. SmartOS's zone "default" set (the brand's config.xml,
    /// exclusive-IP) includes net_rawaccess, as do "all" and "zone"; "none" and "basic" do not.
    /// Tokens apply left to right; names are case-insensitive and may carry a "priv_" prefix.
    /// An absent list is vmadm's default, "default".
    /// </summary>
    public static bool Grants(string? limitPriv, string privilege)
    {
        if (string.IsNullOrWhiteSpace(limitPriv))
            limitPriv = "default";
        bool granted = false;
        foreach (string raw in limitPriv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string token = raw.ToLowerInvariant();
            bool remove = token.StartsWith('-') || token.StartsWith('!');
            if (remove)
                token = token[1..];
            if (token.StartsWith("priv_", StringComparison.Ordinal))
                token = token["priv_".Length..];
            switch (token)
            {
                case "default" or "all" or "zone":
                    granted = !remove;
                    break;
                case "none":
                    granted = false;
                    break;
                default:
                    if (token == privilege)
                        granted = !remove;
                    break;
            }
        }
        return granted;
    }
}
