using Solstice.Core.Vm;

namespace Solstice.Core.Tests.Vm;

public class VmValueRulesTests
{
    [Theory]
    [InlineData("54f1cc77-68f1-42ab-acac-5c4f64f5d6e0", true)]
    [InlineData("54F1CC77-68F1-42AB-ACAC-5C4F64F5D6E0", false)] // VM.js isUUID: lower case only
    [InlineData("54f1cc77-68f1-42ab-acac-5c4f64f5d6e", false)]
    [InlineData("54f1cc7768f142abacac5c4f64f5d6e0", false)]
    [InlineData("54f1cc77-68f1-42ab-acac-5c4f64f5d6eg", false)]
    [InlineData("54f1cc77-68f1-42ab-acac-5c4f64f5d6e0\n", false)]
    public void IsUuid(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsUuid(text));

    [Theory]
    [InlineData("90:b8:d0:c0:ff:ee", true)]
    [InlineData("0:1:2:3:4:5", true)]
    [InlineData("90:B8:D0:C0:FF:EE", true)]
    [InlineData("90:b8:d0:c0:ff", false)]
    [InlineData("90-b8-d0-c0-ff-ee", false)]
    [InlineData("90:b8:d0:c0:ff:eee", false)]
    [InlineData("zz:b8:d0:c0:ff:ee", false)]
    public void IsMac(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsMac(text));

    [Theory]
    [InlineData("0:1:2:3:4:5", "00:01:02:03:04:05")]
    [InlineData("90:B8:D0:C0:FF:EE", "90:b8:d0:c0:ff:ee")]
    [InlineData("not-a-mac", "not-a-mac")]
    public void NormalizeMac_zero_pads_and_lowercases(string mac, string expected) =>
        Assert.Equal(expected, VmValueRules.NormalizeMac(mac));

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("256.0.0.1", false)]
    [InlineData("10.0.0", false)]
    [InlineData("10.0.0.01", false)]
    [InlineData("1", false)]
    [InlineData("10.0.0.1/24", false)]
    [InlineData("::1", false)]
    public void IsIPv4(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsIPv4(text));

    [Theory]
    [InlineData("::1", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("2001:db8::g", false)]
    public void IsIPv6(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsIPv6(text));

    [Theory]
    [InlineData("10.0.0.5/24", true)]
    [InlineData("10.0.0.5/0", true)]
    [InlineData("10.0.0.5/32", true)]
    [InlineData("10.0.0.5/33", false)]
    [InlineData("10.0.0.5/", false)]
    [InlineData("10.0.0.5/024", false)]
    [InlineData("2001:db8::5/64", true)]
    [InlineData("2001:db8::5/129", false)]
    [InlineData("10.0.0.5", false)]
    public void IsCidr(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsCidr(text));

    [Theory]
    [InlineData("dhcp", true)]
    [InlineData("addrconf", true)]
    [InlineData("10.0.0.5/24", true)]
    [InlineData("10.0.0.5", false)]
    [InlineData("DHCP", false)]
    public void IsNicIp(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsNicIp(text));

    [Theory]
    [InlineData("255.255.255.0", true, 24)]
    [InlineData("255.255.255.255", true, 32)]
    [InlineData("0.0.0.0", true, 0)]
    [InlineData("255.255.254.0", true, 23)]
    [InlineData("255.0.255.0", false, 0)]
    [InlineData("24", false, 0)]
    public void TryNetmaskToPrefix(string text, bool ok, int prefix)
    {
        Assert.Equal(ok, VmValueRules.TryNetmaskToPrefix(text, out int bits));
        Assert.Equal(prefix, bits);
        if (ok)
            Assert.Equal(text, VmValueRules.PrefixToNetmask(prefix));
    }

    [Theory]
    [InlineData("web01", true)]
    [InlineData("web-01.example.com", true)]
    [InlineData("54f1cc77-68f1-42ab-acac-5c4f64f5d6e0", true)]
    [InlineData("-web", false)]
    [InlineData("web-", false)]
    [InlineData("web_01", false)]
    [InlineData("web..com", false)]
    [InlineData("", false)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    public void IsHostname(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsHostname(text));

    [Theory]
    [InlineData("zone70", true)]
    [InlineData("my web server (prod)", true)]
    [InlineData("", false)]
    [InlineData("two\nlines", false)]
    [InlineData("tab\there", false)]
    public void IsAlias(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsAlias(text));

    [Theory]
    [InlineData("54f1cc77-68f1-42ab-acac-5c4f64f5d6e0", true)]
    [InlineData("my_zone.1", true)]
    [InlineData("global", false)]
    [InlineData("_zone", false)]
    [InlineData("zone/1", false)]
    public void IsZonename(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsZonename(text));

    [Theory]
    [InlineData("before-upgrade", true)]
    [InlineData("snap_1.2:3%", true)]
    [InlineData("with space", false)]
    [InlineData("slash/no", false)]
    [InlineData("at@no", false)]
    [InlineData("", false)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    public void IsSnapshotName(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsSnapshotName(text));

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("nics[0]", true)]
    [InlineData("nics[12]", true)]
    [InlineData("nics[]", false)]
    [InlineData("nics[a]", false)]
    [InlineData("macs[90:b8:d0:c0:ff:ee]", true)]
    [InlineData("macs[90:b8:d0]", false)]
    [InlineData("gateway", false)]
    public void IsRouteGateway(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsRouteGateway(text));

    [Theory]
    [InlineData("on", true)]
    [InlineData("gzip-9", true)]
    [InlineData("gzip-0", false)]
    [InlineData("zstd", false)]
    public void IsCompression(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsCompression(text));

    [Theory]
    [InlineData("3.13.0", true)]
    [InlineData("4.4", true)]
    [InlineData("4", false)]
    [InlineData("v4.4", false)]
    public void IsKernelVersion(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsKernelVersion(text));

    [Theory]
    [InlineData("0x0102", true)]
    [InlineData("0x01", false)]
    [InlineData("0x012", false)]
    [InlineData("0102", false)]
    public void IsDhcpClientId(string text, bool expected) => Assert.Equal(expected, VmValueRules.IsDhcpClientId(text));
}
