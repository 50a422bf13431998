using Scheduler.Internal;

namespace Scheduler.Jobs;

/// <summary>
/// A run's id as the engine keeps it: the 64 bits of an id it made itself, and text only for an id
/// made elsewhere. Every run of every job carries its id through the run history and the event log,
/// so an id that is not an object of its own leaves nothing behind in the heap per run; the text is
/// made when someone reads it.
/// </summary>
internal readonly struct RunKey : IEquatable<RunKey>
{
    private readonly ulong bits;
    private readonly string? text;

    private RunKey(ulong bits, string? text)
    {
        this.bits = bits;
        this.text = text;
    }

    public bool IsEmpty => bits == 0 && text is null;

    public static RunKey New() => new(Ids.NewBits(), null);

    /// <summary>The key of an id read back as text (from a file, from a user).</summary>
    public static RunKey From(string? id)
        => id is null ? default
            : Ids.ParseBits(id) is var parsed and not 0 ? new RunKey(parsed, null)
            : new RunKey(0, id);

    /// <summary>The id as text, or null for the empty key.</summary>
    public string? Text => bits != 0 ? Ids.Format(bits) : text;

    public bool Equals(RunKey other) => bits == other.bits && string.Equals(text, other.text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is RunKey other && Equals(other);

    public override int GetHashCode() => bits != 0 ? bits.GetHashCode() : StringComparer.Ordinal.GetHashCode(text ?? string.Empty);

    public override string ToString() => Text ?? string.Empty;

    public static bool operator ==(RunKey left, RunKey right) => left.Equals(right);

    public static bool operator !=(RunKey left, RunKey right) => !left.Equals(right);
}
