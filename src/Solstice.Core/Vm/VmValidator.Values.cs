using System.Text.Json.Nodes;

namespace Solstice.Core.Vm;

public static partial class VmValidator
{
    private static void CheckValue(Check check, VmProperty property, string path, JsonNode value, Scope scope)
    {
        switch (property.Type)
        {
            case VmPropertyType.Integer:
                CheckInteger(check, property, path, value);
                break;
            case VmPropertyType.Boolean:
                if (!VmJson.TryGetBoolean(value, out bool flag))
                    check.BadValue(path, "must be true or false");
                else if (scope == Scope.Nic && property.Name == "primary" && !flag)
                    check.BadValue(path, "only true is valid");
                break;
            case VmPropertyType.String:
                if (scope == Scope.Top && VmUpdater.IsBlank(property, value))
                    break; // VM.js: an empty string is how a property is unset
                if (VmJson.AsString(value) is not { } text)
                    check.BadValue(path, "must be a string");
                else if (StringRule(scope, property.Name) is { } rule && !rule.IsValid(text))
                    check.BadValue(path, rule.Reason);
                else if (HvmStringProblem(check, scope, property.Name, text) is { } problem)
                    check.BadValue(path, problem);
                break;
            case VmPropertyType.Uuid:
                if (!VmValueRules.IsUuid(VmJson.AsString(value)))
                    check.BadValue(path, "must be a UUID");
                break;
            case VmPropertyType.Zpool:
                if (!VmValueRules.IsZpoolName(VmJson.AsString(value)))
                    check.BadValue(path, "must be a pool name");
                break;
            case VmPropertyType.List:
                CheckList(check, property, path, value, scope);
                break;
            case VmPropertyType.FlatObject:
                CheckFlatObject(check, property, path, value);
                break;
            case VmPropertyType.ObjectArray:
                CheckElements(check, property, path, value, ElementMode.Create);
                break;
        }
    }

    private static void CheckInteger(Check check, VmProperty property, string path, JsonNode value)
    {
        if (VmUpdater.IsBlank(property, value))
            return; // VM.js: "" unsets an integer property too
        long min = property.EffectiveMin;
        string range = property.Max is { } max ? $"an integer from {min} to {max}" : $"an integer >= {min}";
        if (!VmJson.TryGetInteger(value, out long number) || number < min || number > (property.Max ?? long.MaxValue))
        {
            check.BadValue(path, $"must be {range}");
            return;
        }
        if (property.Name is "zfs_root_recsize" or "zfs_data_recsize" or "block_size" && !VmValueRules.IsPowerOfTwo(number))
            check.BadValue(path, "must be a power of two from 512 to 131072");
    }

    private static void CheckList(Check check, VmProperty property, string path, JsonNode value, Scope scope)
    {
        if (!VmJson.TryGetList(value, out var items))
        {
            check.BadValue(path, "must be an array or a comma-separated string");
            return;
        }
        var (rule, limit) = ListRule(scope, property.Name);
        if (limit > 0 && items.Count > limit)
            check.BadValue(path, $"at most {limit} entries are allowed");
        for (int i = 0; i < items.Count; i++)
        {
            string itemPath = $"{path}.{i}";
            var item = items[i];
            if (scope == Scope.Nic && property.Name == "blocked_outgoing_ports")
            {
                if (!VmJson.TryGetInteger(item, out long port) || port is < 0 or > 65535)
                    check.BadValue(itemPath, "must be a port number from 0 to 65535");
                continue;
            }
            if (VmJson.AsString(item) is not { } text)
                check.BadValue(itemPath, "must be a string");
            else if (rule is not null && !rule.IsValid(text))
                check.BadValue(itemPath, rule.Reason);
            else if (scope == Scope.Nic && property.Name == "ips" && !s_nicHostIp.IsValid(text))
                check.BadValue(itemPath, s_nicHostIp.Reason);
        }
    }

    private static void CheckFlatObject(Check check, VmProperty property, string path, JsonNode? value)
    {
        if (value is not JsonObject map)
        {
            check.BadValue(path, "must be an object");
            return;
        }
        bool routes = property.Name == "routes";
        foreach (var (key, item) in map)
        {
            string itemPath = $"{path}.{key}";
            if (!(VmJson.IsString(item) || VmJson.IsNumber(item) || VmJson.IsBoolean(item)))
                check.BadValue(itemPath, "values must be strings, numbers or booleans");
            else if (routes && !VmValueRules.IsIPOrCidr(key))
                check.BadValue(itemPath, "route destination must be an address or a prefix");
            else if (routes && !VmValueRules.IsRouteGateway(VmJson.AsString(item)))
                check.BadValue(itemPath, "route gateway must be an address, nics[N] or macs[mac]");
        }
    }

    private sealed record Rule(Func<string, bool> IsValid, string Reason);

    private static readonly Rule s_alias = new(VmValueRules.IsAlias,
        $"must be 1 to {VmValueRules.MaxAliasLength} characters without control characters");
    private static readonly Rule s_hostname = new(VmValueRules.IsHostname,
        $"must be a host name of at most {VmValueRules.MaxHostnameLength} characters");
    private static readonly Rule s_domain = new(VmValueRules.IsDnsDomain, "must be a DNS domain name");
    private static readonly Rule s_zonename = new(VmValueRules.IsZonename,
        "must be 1 to 63 characters of letters, digits, '-', '_' and '.', starting with a letter or digit");
    private static readonly Rule s_kernel = new(VmValueRules.IsKernelVersion, "must be a version such as 3.13.0");
    private static readonly Rule s_compression = new(VmValueRules.IsCompression,
        "must be one of on, off, gzip, gzip-1..gzip-9, lz4, lzjb, zle");
    private static readonly Rule s_absolute = new(VmValueRules.IsAbsolutePath, "must be an absolute path");
    private static readonly Rule s_nonEmpty = new(s => s.Length > 0, "must not be empty");
    private static readonly Rule s_mac = new(VmValueRules.IsUnicastMac,
        "must be a unicast MAC address (six octets, the first one even, not all zeros)");
    private static readonly Rule s_nicTag = new(VmValueRules.IsNicTag, "must be a nic tag name");
    private static readonly Rule s_interface = new(VmValueRules.IsInterfaceName, "must be an interface name such as net0");
    private static readonly Rule s_ipv4 = new(VmValueRules.IsIPv4, "must be an IPv4 address");
    private static readonly Rule s_ipv4OrDhcp = new(s => s == "dhcp" || (VmValueRules.IsIPv4(s) && VmValueRules.IsHostAddress(s)),
        "must be an IPv4 host address (not loopback, multicast, broadcast or 0.0.0.0) or dhcp");
    private static readonly Rule s_netmask = new(VmValueRules.IsNetmask, "must be an IPv4 netmask");
    private static readonly Rule s_ip = new(VmValueRules.IsIP, "must be an IP address");
    private static readonly Rule s_nicIp = new(VmValueRules.IsNicIp, "must be an address with prefix (CIDR), dhcp or addrconf");
    private static readonly Rule s_nicHostIp = new(VmValueRules.IsNicHostIp,
        "must be a host address with prefix (not loopback, multicast, unspecified, or the network or broadcast address of its prefix)");
    private static readonly Rule s_ipOrCidr = new(VmValueRules.IsIPOrCidr, "must be an IP address or a prefix");
    private static readonly Rule s_dhcpCid = new(VmValueRules.IsDhcpClientId, "must be 0x followed by hex bytes");
    private static readonly Rule s_privilege = new(VmValueRules.IsPrivilege, "must be a privilege name");
    private static readonly Rule s_fsType = new(VmValueRules.IsFsType, "must be a file system type");
    private static readonly Rule s_namespace = new(s => s.Length > 0 && !s.Contains(':', StringComparison.Ordinal),
        "must be a namespace name without ':'");

    private static Rule? StringRule(Scope scope, string name) => (scope, name) switch
    {
        (Scope.Top, "alias") => s_alias,
        (Scope.Top, "hostname") => s_hostname,
        (Scope.Top, "dns_domain") => s_domain,
        (Scope.Top, "zonename") => s_zonename,
        (Scope.Top, "kernel_version") => s_kernel,
        (Scope.Top, "zfs_root_compression" or "zfs_data_compression") => s_compression,
        (Scope.Top, "init_name") => s_absolute,
        (Scope.Nic, "mac") => s_mac,
        (Scope.Nic, "nic_tag") => s_nicTag,
        (Scope.Nic, "interface") => s_interface,
        (Scope.Nic, "ip") => s_ipv4OrDhcp,
        (Scope.Nic, "netmask") => s_netmask,
        (Scope.Nic, "gateway" or "vrrp_primary_ip") => s_ipv4,
        (Scope.Filesystem, "target") => s_absolute,
        (Scope.Filesystem, "type" or "source") => s_nonEmpty,
        _ => null,
    };

    private static (Rule? Rule, int Limit) ListRule(Scope scope, string name) => (scope, name) switch
    {
        (Scope.Top, "resolvers") => (s_ip, 0),
        (Scope.Top, "limit_priv") => (s_privilege, 0),
        (Scope.Top, "fs_allowed") => (s_fsType, 0),
        (Scope.Top, "internal_metadata_namespaces") => (s_namespace, 0),
        (Scope.Nic, "ips") => (s_nicIp, VmValueRules.MaxNicListEntries),
        (Scope.Nic, "gateways") => (s_ipv4, 0),
        (Scope.Nic, "allowed_ips") => (s_ipOrCidr, 0),
        (Scope.Nic, "allowed_dhcp_cids") => (s_dhcpCid, VmValueRules.MaxNicListEntries),
        _ => (null, 0),
    };
}
