using Solstice.Core;

namespace Solstice.Instances;

/// <summary>The node's instance drivers, chosen by brand through their capability records.</summary>
public sealed class InstanceDrivers(IReadOnlyList<IInstanceDriver> drivers)
{
    public IReadOnlyList<IInstanceDriver> All => drivers;

    /// <summary>The available driver serving brand, or null.</summary>
    public IInstanceDriver? Find(string brand) =>
        drivers.FirstOrDefault(d => d.Info.Unavailable is null && d.Info.Brands.Any(b => b.Name == brand));

    /// <summary>The brand as an available driver serves it, or null.</summary>
    public InstanceBrand? Brand(string brand) => Find(brand)?.Info.Brands.First(b => b.Name == brand);

    /// <summary>The driver for brand, or a NotSupported sentence naming the brands this node serves.</summary>
    public IInstanceDriver For(string brand)
    {
        if (Find(brand) is { } driver)
            return driver;
        var served = drivers.Where(d => d.Info.Unavailable is null).SelectMany(d => d.Info.Brands).Select(b => b.Name).ToList();
        string list = served.Count switch
        {
            0 => "none",
            1 => served[0],
            _ => string.Join(", ", served.Take(served.Count - 1)) + " and " + served[^1],
        };
        string? why = drivers.FirstOrDefault(d => d.Info.Brands.Any(b => b.Name == brand))?.Info.Unavailable;
        throw new SolsticeException(ErrorCode.NotSupported,
            $"brand '{brand}' is not supported on this node ({list} {(served.Count == 1 ? "is" : "are")}){(why is null ? "" : $": {why}")}");
    }
}
