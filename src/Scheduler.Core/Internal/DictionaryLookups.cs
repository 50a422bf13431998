#if NET
using System.Runtime.InteropServices;
#endif

namespace Scheduler.Internal;

/// <summary>
/// Single look-up forms of the dictionary operations the dispatch path does for every run: with a
/// key of a few dozen characters among tens of thousands, the hashing and the cache misses of a
/// second look-up are a measurable share of a run's cost. netstandard2.0 lacks them, so there
/// they fall back to two look-ups.
/// </summary>
internal static class DictionaryLookups
{
    /// <summary>The key's value; when there is none, one made by <paramref name="create"/> and added.</summary>
    /// <remarks><paramref name="create"/> must not throw: on .NET the key is added before it is called.</remarks>
    public static TValue GetOrAdd<TKey, TValue>(this Dictionary<TKey, TValue> dictionary, TKey key, Func<TValue> create, out bool added)
        where TKey : notnull
        where TValue : class
    {
#if NET
        ref var value = ref CollectionsMarshal.GetValueRefOrAddDefault(dictionary, key, out var exists);
        added = !exists;
        return exists ? value! : value = create();
#else
        if (dictionary.TryGetValue(key, out var value))
        {
            added = false;
            return value;
        }

        value = create();
        dictionary.Add(key, value);
        added = true;
        return value;
#endif
    }

    /// <summary>Removes the key and returns its value; false when it was not there.</summary>
    public static bool TryRemove<TKey, TValue>(this Dictionary<TKey, TValue> dictionary, TKey key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TValue value)
        where TKey : notnull
    {
#if NET
        return dictionary.Remove(key, out value);
#else
        return dictionary.TryGetValue(key, out value) && dictionary.Remove(key);
#endif
    }
}
