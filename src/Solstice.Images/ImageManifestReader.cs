using System.Text;
using Solstice.Core;

namespace Solstice.Images;

/// <summary>
/// Reads a manifest that came from a user's file (imgadm install -m, imgadm publish -m): the text is first read
/// strictly (<see cref="StrictJson"/>), so a lone UTF-16 surrogate escape or a repeated key is refused with its line
/// and column instead of escaping <see cref="ImageManifest.Parse"/> as InvalidOperationException (which aborted
/// imgadm), then validated by <see cref="ImageManifest.Parse"/>.
/// </summary>
public static class ImageManifestReader
{
    public static ImageManifest Read(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Through UTF-8 and back: a lone surrogate char (not an escape) becomes U+FFFD, as reading a file makes it.
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        StrictJson.Check(utf8, $"image manifest {source}");
        return ImageManifest.Parse(Encoding.UTF8.GetString(utf8), source);
    }
}
