namespace Solstice.Metadata;

/// <summary>
/// CRC-32 as zlib computes it (reflected polynomial 0xEDB88320, initial value and final xor
/// 0xFFFFFFFF), which is what V2 frames carry over their body (smartos-interfaces.md §4.2).
/// </summary>
public static class MetadataCrc32
{
    private static readonly uint[] s_table = BuildTable();

    /// <summary>The register before any byte; pass it to Update and finish with <see cref="Finish"/>.</summary>
    public const uint Initial = 0xFFFFFFFF;

    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Update(Initial, data));

    public static uint Update(uint register, ReadOnlySpan<byte> data)
    {
        uint[] table = s_table;
        foreach (byte b in data)
            register = table[(register ^ b) & 0xFF] ^ (register >> 8);
        return register;
    }

    public static uint Update(uint register, byte b) => s_table[(register ^ b) & 0xFF] ^ (register >> 8);

    public static uint Finish(uint register) => ~register;

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
