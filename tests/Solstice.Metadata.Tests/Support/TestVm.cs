using System.Text;
using System.Text.Json.Nodes;

namespace Solstice.Metadata.Tests.Support;

/// <summary>
/// A VM object and a store over it whose writes are applied in memory the way vmadm applies
/// set_/remove_ payloads, recording each payload.
/// </summary>
public sealed class TestVm
{
    public const string Uuid = "5f8f6a4e-31f8-4a2d-9b0d-1b2c3d4e5f60";

    public TestVm(JsonObject? vm = null)
    {
        Vm = vm ?? Default();
        Store = new VmMetadataStore(() => Vm, (payload, _) =>
        {
            Updates.Add(payload.ToJsonString());
            if (FailWith is { } message)
                throw new InvalidOperationException(message);
            foreach (var (name, value) in payload)
            {
                string table = name[(name.IndexOf('_') + 1)..];
                var map = Vm[table] as JsonObject ?? (JsonObject)(Vm[table] = new JsonObject());
                if (name.StartsWith("set_", StringComparison.Ordinal))
                {
                    foreach (var (k, v) in (JsonObject)value!)
                        map[k] = v?.DeepClone();
                }
                else
                {
                    foreach (var k in (JsonArray)value!)
                        map.Remove(k!.GetValue<string>());
                }
            }
            return ValueTask.CompletedTask;
        });
    }

    public JsonObject Vm { get; }

    public VmMetadataStore Store { get; }

    public List<string> Updates { get; } = [];

    public string? FailWith { get; set; }

    public static JsonObject Default() => JsonNode.Parse($$"""
        {
          "uuid": "{{Uuid}}",
          "alias": "web01",
          "hostname": "web01",
          "dns_domain": "example.com",
          "brand": "joyent",
          "image_uuid": "01b2c898-945f-11e1-a523-af1afbe22822",
          "owner_uuid": "930896af-bf8c-48d4-885c-6573a94b1853",
          "server_uuid": "44454c4c-3800-104b-8052-b4c04f4d5a31",
          "datacenter_name": "us-test-1",
          "max_physical_memory": 256,
          "tmpfs": 256,
          "autoboot": true,
          "resolvers": ["8.8.8.8", "8.8.4.4"],
          "nics": [
            {"interface": "net0", "mac": "90:b8:d0:2f:aa:01", "nic_tag": "external", "ip": "10.88.88.50", "netmask": "255.255.255.0", "gateway": "10.88.88.2", "primary": true},
            {"interface": "net1", "mac": "90:b8:d0:2f:aa:02", "nic_tag": "admin", "ip": "dhcp"}
          ],
          "routes": {"10.2.0.0/16": "10.88.88.1", "172.16.0.0/12": "nics[0]", "192.168.0.0/16": "macs[90-b8-d0-2f-aa-01]", "10.9.0.0/16": "nics[1]"},
          "tags": {"role": "web", "a.b": "dotted", "count": 3},
          "customer_metadata": {"user-script": "#!/bin/sh\necho hi\n", "root_authorized_keys": "ssh-ed25519 AAAA test", "docker:env": "c", "bad_pw": "in-customer"},
          "internal_metadata": {"root_pw": "s3cret", "operator-script": "echo op", "docker:cmd": "[\"sh\"]", "sdc:volumes": "[]", "plain": "hidden"},
          "internal_metadata_namespaces": ["docker"],
          "disks": [],
          "empty": ""
        }
        """)!.AsObject();

    /// <summary>Runs a session over the bytes and returns what the host wrote.</summary>
    public string Exchange(string input, MetadataLimits? limits = null, int chunk = int.MaxValue)
    {
        var stream = new ScriptedStream(Encoding.UTF8.GetBytes(input), chunk);
        var session = new MetadataSession(stream, new MetadataHandler(Store, limits ?? MetadataLimits.Default), limits ?? MetadataLimits.Default);
        var end = session.RunAsync(CancellationToken.None).GetAwaiter().GetResult();
        Assert.Equal(MetadataSessionEnd.Closed, end);
        return Encoding.UTF8.GetString(stream.Output.ToArray());
    }
}
