using System.Runtime.CompilerServices;

namespace Scheduler.Internal;

/// <summary>Short random ids for jobs and runs: 16 hex digits (64 random bits), unique enough for millions of jobs.</summary>
internal static class Ids
{
    private const int Digits = 16;

    public static string New() => Format(NewBits());

    /// <summary>64 random bits, never zero (zero stands for "no bits" in <see cref="Jobs.RunKey"/>).</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public static ulong NewBits()
    {
        while (true)
        {
#if NET
            var bits = (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.Next() << 63);
#else
            // A version 4 GUID has fixed version and variant bits in different halves; folding the halves
            // together gives 64 random bits.
            var bytes = Guid.NewGuid().ToByteArray();
            var bits = BitConverter.ToUInt64(bytes, 0) ^ BitConverter.ToUInt64(bytes, 8);
#endif
            if (bits != 0)
            {
                return bits;
            }
        }
    }

    public static string Format(ulong bits)
    {
#if NET
        // Written in place: a scratch array would double the cost.
        return string.Create(Digits, bits, static (chars, value) => Write(chars, value));
#else
        var chars = new char[Digits];
        Write(chars, bits);
        return new string(chars);
#endif
    }

    /// <summary>The bits of an id written by <see cref="Format"/>; zero for any other text (an id made elsewhere).</summary>
    public static ulong ParseBits(string text)
    {
        if (text.Length != Digits)
        {
            return 0;
        }

        ulong bits = 0;
        foreach (var c in text)
        {
            int digit;
            if (c is >= '0' and <= '9')
            {
                digit = c - '0';
            }
            else if (c is >= 'a' and <= 'f')
            {
                digit = c - 'a' + 10;
            }
            else
            {
                return 0;
            }

            bits = (bits << 4) | (uint)digit;
        }

        return bits;
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
