namespace Scheduler;

/// <summary>Short random ids for jobs and runs: 16 hex digits (64 random bits), unique enough for millions of jobs.</summary>
internal static class Ids
{
    public static string New()
    {
#if NET
        var bits = (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.Next() << 63);
#else
        // A version 4 GUID has fixed version and variant bits in different halves; folding the halves
        // together gives 64 random bits.
        var bytes = Guid.NewGuid().ToByteArray();
        var bits = BitConverter.ToUInt64(bytes, 0) ^ BitConverter.ToUInt64(bytes, 8);
#endif
#if NET
        // Written in place: a run id is made for every run, and a scratch array would double its cost.
        return string.Create(16, bits, static (chars, value) => Write(chars, value));
#else
        var chars = new char[16];
        Write(chars, bits);
        return new string(chars);
#endif
    }

    private static void Write(Span<char> chars, ulong bits)
    {
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            chars[i] = Hex[(int)(bits & 0xF)];
            bits >>= 4;
        }
    }

    private const string Hex = "0123456789abcdef";
}
