using System.Security.Cryptography;

namespace Scheduler;

/// <summary>Short random ids for jobs and runs: 16 hex digits (64 bits), unique enough for millions of jobs.</summary>
internal static class Ids
{
    private static readonly RandomNumberGenerator Random = RandomNumberGenerator.Create();

    [ThreadStatic]
    private static byte[]? buffer;

    public static string New()
    {
        var bytes = buffer ??= new byte[8];
        Random.GetBytes(bytes);
        var chars = new char[16];
        for (var i = 0; i < 8; i++)
        {
            chars[2 * i] = Hex[bytes[i] >> 4];
            chars[(2 * i) + 1] = Hex[bytes[i] & 0xF];
        }

        return new string(chars);
    }

    private const string Hex = "0123456789abcdef";
}
