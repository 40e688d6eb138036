using System.Text;

namespace Solstice.Metadata.Tests.Support;

/// <summary>
/// Builds V2 frames independently of the code under test: CRC-32 computed bit by bit from the
/// polynomial (no table), base64 from the BCL.
/// </summary>
public static class Frames
{
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc >> 1) ^ (0xEDB88320 & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }

    public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary><c>V2 len crc body</c> without the newline.</summary>
    public static string Frame(string body) => $"V2 {Encoding.UTF8.GetByteCount(body)} {Crc32(Encoding.UTF8.GetBytes(body)):x8} {body}";

    public static string Request(string reqid, string op, string? argument = null) =>
        Frame(argument is null ? $"{reqid} {op}" : $"{reqid} {op} {B64(argument)}");

    public static string Put(string reqid, string key, string value) => Frame($"{reqid} PUT {B64(B64(key) + " " + B64(value))}");

    public static string Reply(string reqid, string code, string? payload = null) =>
        Frame(string.IsNullOrEmpty(payload) ? $"{reqid} {code}" : $"{reqid} {code} {B64(payload)}");
}
