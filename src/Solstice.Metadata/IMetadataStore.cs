namespace Solstice.Metadata;

/// <summary>
/// One zone's metadata as the guest sees it. Keys arrive trimmed and non-empty. Implementations
/// must be safe to call from several connections at once.
/// </summary>
public interface IMetadataStore
{
    /// <summary>The value of a key: SUCCESS with the text, NOTFOUND, or FAILURE (e.g. a non-scalar value).</summary>
    MetadataResult Get(string key);

    /// <summary>What KEYS lists, in order.</summary>
    IReadOnlyList<string> Keys();

    /// <summary>Stores a value; an empty value deletes the key. Success is <see cref="MetadataResult.Ok"/>.</summary>
    ValueTask<MetadataResult> PutAsync(string key, string value, CancellationToken ct);

    /// <summary>Deletes a key; deleting an absent key succeeds.</summary>
    ValueTask<MetadataResult> DeleteAsync(string key, CancellationToken ct);
}
