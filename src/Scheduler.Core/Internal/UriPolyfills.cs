#if NETSTANDARD2_0
namespace System;

// The span overload the analyzers ask for on net10.0; here it copies, as the string overload does. Core
// only: in the cmdlet assembly a span would add a reference to System.Memory, which the module keeps out.
internal static class UriPolyfills
{
    extension(Uri)
    {
        public static string UnescapeDataString(ReadOnlySpan<char> text) => Uri.UnescapeDataString(text.ToString());
    }
}
#endif
