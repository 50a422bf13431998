namespace Scheduler;

/// <summary>
/// A run id as kept by long-lived records (the event log, run histories): the 64 bits of an id made by
/// <see cref="Ids.New"/> instead of its string. Those records live long enough to be promoted by
/// the garbage collector, and a record that refers to a young string is one more object copied and
/// one more card scanned at every collection; bits are neither. Ids of another form (a run read from
/// a store written elsewhere) are kept as given.
/// </summary>
internal readonly struct RunIdKey : IEquatable<RunIdKey>
{
    private const int Digits = 16;

    private readonly ulong bits;
    private readonly string? text;
    private readonly bool hasBits;

    private RunIdKey(ulong bits)
    {
        this.bits = bits;
        hasBits = true;
        text = null;
    }

    private RunIdKey(string text)
    {
        this.text = text;
        bits = 0;
        hasBits = false;
    }

    public bool IsEmpty => !hasBits && text is null;

    public static RunIdKey From(string? runId)
    {
        if (runId is null)
        {
            return default;
        }

        return TryParse(runId, out var parsed) ? new RunIdKey(parsed) : new RunIdKey(runId);
    }

    public override string? ToString() => hasBits ? Ids.Format(bits) : text;

    public bool Equals(RunIdKey other) => hasBits == other.hasBits && bits == other.bits && string.Equals(text, other.text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is RunIdKey other && Equals(other);

    public override int GetHashCode() => hasBits ? bits.GetHashCode() : (text is null ? 0 : StringComparer.Ordinal.GetHashCode(text));

    // Only the form Ids.New writes (16 lowercase hex digits), so formatting the bits gives back the same string.
    private static bool TryParse(string runId, out ulong value)
    {
        value = 0;
        if (runId.Length != Digits)
        {
            return false;
        }

        foreach (var c in runId)
        {
            int digit;
            if (c >= '0' && c <= '9')
            {
                digit = c - '0';
            }
            else if (c >= 'a' && c <= 'f')
            {
                digit = c - 'a' + 10;
            }
            else
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }
}
