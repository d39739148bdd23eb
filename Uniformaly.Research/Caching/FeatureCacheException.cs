namespace Uniformaly.Research.Caching;

/// <summary>A cache folder that cannot be used or cleared safely (not a cache, a damaged entry list,
/// locked too long): the message names the folder and says what to do; nothing was deleted.</summary>
public sealed class FeatureCacheException(string message, Exception? inner = null) : IOException(message, inner);
