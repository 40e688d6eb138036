using System.Text.Json.Nodes;
using Solstice.Core;

namespace Solstice.Metadata.Tests;

/// <summary>The per-VM cap on customer_metadata and internal_metadata together.</summary>
public sealed class MetadataSizeTests
{
    private static JsonObject Vm(JsonObject? customer = null, JsonObject? internalMetadata = null)
    {
        var vm = new JsonObject { ["uuid"] = "2a2b6d8e-0d8a-4b4e-9f3a-7c4f3bb1d0a1", ["alias"] = "not counted" };
        if (customer is not null)
            vm["customer_metadata"] = customer;
        if (internalMetadata is not null)
            vm["internal_metadata"] = internalMetadata;
        return vm;
    }

    [Fact]
    public void Counts_the_utf8_bytes_of_keys_and_values_of_both_maps()
    {
        var vm = Vm(new JsonObject { ["k"] = "vv", ["é"] = "€" }, new JsonObject { ["root_pw"] = "secret", ["n"] = 12345, ["b"] = true });
        // k+vv = 3, é+€ = 2+3, root_pw+secret = 13, n+12345 = 6, b+true = 5
        Assert.Equal(32, MetadataSize.Of(vm));
        Assert.Equal(0, MetadataSize.Of(Vm()));
    }

    [Fact]
    public void A_change_over_the_limit_is_refused_with_a_sentence_naming_the_sizes()
    {
        var before = Vm(new JsonObject { ["a"] = new string('a', 90) });
        var after = Vm(new JsonObject { ["a"] = new string('a', 90), ["b"] = new string('b', 20) });

        var ex = Assert.Throws<SolsticeException>(() => MetadataSize.Check(before, after, 100));

        Assert.Equal(ErrorCode.QuotaExceeded, ex.Code);
        Assert.Equal("metadata too large: customer_metadata and internal_metadata would hold 112 bytes, over this node's limit of 100 bytes per VM", ex.Message);
        MetadataSize.Check(before, after, 112);
    }

    [Fact]
    public void Shrinking_is_allowed_even_above_a_lowered_limit_but_growing_is_not()
    {
        var big = Vm(new JsonObject { ["a"] = new string('a', 500) });
        var smaller = Vm(new JsonObject { ["a"] = new string('a', 400) });
        MetadataSize.Check(big, smaller, 100);
        MetadataSize.Check(big, big, 100);
        Assert.Throws<SolsticeException>(() => MetadataSize.Check(smaller, big, 100));
        Assert.Throws<SolsticeException>(() => MetadataSize.Check(null, big, 100));
    }

    [Fact]
    public async Task A_guest_put_over_the_limit_gets_the_protocols_failure_reply_with_the_reason()
    {
        var vm = Vm(new JsonObject());
        var store = new VmMetadataStore(() => vm, (payload, _) =>
        {
            var next = (JsonObject)vm.DeepClone();
            foreach (var (key, value) in payload["set_customer_metadata"]!.AsObject())
                next["customer_metadata"]![key] = value?.DeepClone();
            MetadataSize.Check(vm, next, 1000);
            vm = next;
            return ValueTask.CompletedTask;
        });

        Assert.Equal(MetadataResult.Ok, await store.PutAsync("a", new string('a', 600), CancellationToken.None));
        var refused = await store.PutAsync("b", new string('b', 600), CancellationToken.None);

        Assert.Equal(MetadataResult.Failed("metadata too large: customer_metadata and internal_metadata would hold 1202 bytes, over this node's limit of 1000 bytes per VM"), refused);
        Assert.Equal(MetadataResult.NotFound, store.Get("b"));
    }

    [Fact]
    public void A_payload_is_checked_before_it_is_applied_counting_replaced_keys_once()
    {
        var vm = Vm(new JsonObject { ["a"] = new string('a', 60) }, new JsonObject { ["x_pw"] = "p" });
        // a (61) + x_pw (5) = 66; replacing a with 90 bytes gives 96, adding b gives more.
        MetadataSize.CheckPayload(vm, new JsonObject { ["set_customer_metadata"] = new JsonObject { ["a"] = new string('a', 90) } }, 100);
        var ex = Assert.Throws<SolsticeException>(() => MetadataSize.CheckPayload(vm,
            new JsonObject { ["set_customer_metadata"] = new JsonObject { ["b"] = new string('b', 40) } }, 100));
        Assert.Contains("would hold 107 bytes", ex.Message);
        // With removals in the payload the exact check after applying it decides.
        MetadataSize.CheckPayload(vm, new JsonObject
        {
            ["set_customer_metadata"] = new JsonObject { ["b"] = new string('b', 40) },
            ["remove_customer_metadata"] = new JsonArray("a"),
        }, 100);
    }
}
