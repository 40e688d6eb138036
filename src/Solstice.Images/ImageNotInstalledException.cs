using Solstice.Core;

namespace Solstice.Images;

/// <summary>imgadm's ImageNotInstalled: the uuid is not installed on the pool (imgadm exits 3 for it).</summary>
public sealed class ImageNotInstalledException(Guid uuid, string pool)
    : SolsticeException(ErrorCode.NotFound, $"image {uuid} is not installed on pool '{pool}'")
{
    public Guid Uuid { get; } = uuid;

    public string Pool { get; } = pool;
}
