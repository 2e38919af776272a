using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NSec.Cryptography;

namespace OpenIkz.Backup;

/// <summary>A recipient's public key: the raw X25519 key and its text form <c>oikzpub1…</c>.</summary>
public sealed record BackupPublicKey(byte[] Raw)
{
    public const string Prefix = "oikzpub1";

    public string Text => Prefix + Base64Url(Raw);

    /// <summary>The first 16 hex digits of the key's SHA-256: names the key in a backup's header and on the pages.</summary>
    public string KeyId => Convert.ToHexStringLower(SHA256.HashData(Raw))[..16];

    public static BackupPublicKey Parse(string text)
    {
        var t = text.Trim();
        if (!t.StartsWith(Prefix, StringComparison.Ordinal) || !TryBase64Url(t[Prefix.Length..], out var raw) || raw.Length != 32)
            throw new BackupException("This is not an OpenIKZ backup public key (oikzpub1…).");
        return new BackupPublicKey(raw);
    }

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal static bool TryBase64Url(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null) return false;
        var s = text.Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
        try { bytes = Convert.FromBase64String(s); return true; }
        catch (FormatException) { return false; }
    }
}

/// <summary>
/// A recipient's private key, text form <c>OIKZ-BACKUP-SECRET-KEY-1…</c>. It is printed once when created and never
/// stored by the instance (except a drill key, which the operator chooses to keep on the machine that runs drills).
/// </summary>
public sealed class BackupPrivateKey : IDisposable
{
    public const string Prefix = "OIKZ-BACKUP-SECRET-KEY-1";
    private readonly Key _key;

    private BackupPrivateKey(Key key) => _key = key;

    internal Key Key => _key;

    /// <summary>
    /// The wrap keys derived with this key, by the ephemeral public key of the header: the objects of one backup run
    /// share an ephemeral key per recipient, so a restore of 100,000 documents runs the key agreement once, not 100,000
    /// times. Bounded; disposed with the key.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Key> _wrapKeys = new(StringComparer.Ordinal);

    internal (Key Key, bool Owned) WrapKeyFor(string ephemeral, Func<byte[]> derive)
    {
        if (_wrapKeys.TryGetValue(ephemeral, out var known)) return (known, false);
        var raw = derive();
        try
        {
            var created = Key.Import(AeadAlgorithm.XChaCha20Poly1305, raw, KeyBlobFormat.RawSymmetricKey);
            if (_wrapKeys.Count >= 1024) return (created, true); // not kept (a target whose objects all differ): the caller disposes it
            if (_wrapKeys.TryAdd(ephemeral, created)) return (created, false);
            created.Dispose();
            return (_wrapKeys[ephemeral], false);
        }
        finally { CryptographicOperations.ZeroMemory(raw); }
    }

    public BackupPublicKey PublicKey => new(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    public static BackupPrivateKey Create() =>
        new(Key.Create(KeyAgreementAlgorithm.X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <summary>The text form (to print once, or to write to a key file).</summary>
    public string Export() => Prefix + BackupPublicKey.Base64Url(_key.Export(KeyBlobFormat.RawPrivateKey));

    public static BackupPrivateKey Parse(string text)
    {
        // A key file may hold comment lines (# …) and the key on a line of its own.
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal));
        if (line is null || !BackupPublicKey.TryBase64Url(line[Prefix.Length..], out var raw) || raw.Length != 32)
            throw new BackupException("This is not an OpenIKZ backup private key (a line OIKZ-BACKUP-SECRET-KEY-1…).");
        try
        {
            return new(Key.Import(KeyAgreementAlgorithm.X25519, raw, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
        }
        finally { CryptographicOperations.ZeroMemory(raw); }
    }

    public static BackupPrivateKey ReadFile(string path)
    {
        if (!File.Exists(path)) throw new BackupException($"The key file {path} does not exist.");
        return Parse(File.ReadAllText(path));
    }

    public void Dispose()
    {
        foreach (var k in _wrapKeys.Values) k.Dispose();
        _wrapKeys.Clear();
        _key.Dispose();
    }
}

/// <summary>
/// The encryption of every backup object (format "OIKZBK1"): a random 256-bit file key, wrapped for each recipient
/// with X25519 (an ephemeral key per recipient), HKDF-SHA-256 and XChaCha20-Poly1305; the content encrypted with
/// XChaCha20-Poly1305 in chunks of 64 KiB (a STREAM construction: nonce = 16 random bytes, the chunk counter, and a
/// flag on the last chunk), each chunk authenticated together with the SHA-256 of the header. Any one recipient's
/// private key decrypts it; a changed byte, a reordered, dropped or appended chunk, a cut-off end, a changed header and
/// a key that is not a recipient are each detected, and nothing of the content is given out before its chunk is
/// verified. Libsodium through NSec does the cryptography.
/// </summary>
public static class BackupCrypto
{
    public const int ChunkSize = 64 * 1024;
    private const int TagSize = 16;
    private static readonly byte[] Magic = "OIKZBK1\n"u8.ToArray();
    private static readonly byte[] WrapInfo = "openikz-backup-v1 file key"u8.ToArray();
    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;
    private static readonly KeyAgreementAlgorithm X25519 = KeyAgreementAlgorithm.X25519;
    private const ulong FinalFlag = 1UL << 63;

    internal sealed record Stanza(string KeyId, string Ephemeral, string Nonce, string Wrapped);

    private sealed record Header(int Version, int Chunk, string NoncePrefix, IReadOnlyList<Stanza> Recipients);

    /// <summary>The fingerprint of a set of recipients: which documents already sent can be reused (sent to the same set).</summary>
    public static string Fingerprint(IEnumerable<BackupPublicKey> recipients) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(string.Join(",", recipients.Select(r => r.KeyId).Order(StringComparer.Ordinal)))))[..32];

    /// <summary>Encrypts <paramref name="plain"/> to <paramref name="output"/> for every recipient.</summary>
    public static async Task EncryptAsync(Stream plain, Stream output, IReadOnlyList<BackupPublicKey> recipients, CancellationToken ct = default)
    {
        using var session = new RecipientSession(recipients);
        await EncryptAsync(plain, output, session, ct);
    }

    /// <summary>Encrypts <paramref name="plain"/> to <paramref name="output"/> for the recipients of a session (one backup run).</summary>
    public static async Task EncryptAsync(Stream plain, Stream output, RecipientSession recipients, CancellationToken ct = default)
    {
        var fileKey = RandomNumberGenerator.GetBytes(32);
        try
        {
            var stanzas = recipients.Wrap(fileKey);
            var header = new Header(1, ChunkSize, BackupPublicKey.Base64Url(RandomNumberGenerator.GetBytes(16)), stanzas);
            var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header, BackupNames.Json);
            var ad = HeaderHash(headerBytes);
            // Magic, length and header in one write; then one write per chunk (an unbuffered file gets whole chunks).
            var start = new byte[Magic.Length + 4 + headerBytes.Length];
            Magic.CopyTo(start, 0);
            BinaryPrimitives.WriteInt32BigEndian(start.AsSpan(Magic.Length), headerBytes.Length);
            headerBytes.CopyTo(start, Magic.Length + 4);
            await output.WriteAsync(start, ct);

            using var key = Key.Import(Aead, fileKey, KeyBlobFormat.RawSymmetricKey);
            BackupPublicKey.TryBase64Url(header.NoncePrefix, out var prefix);
            var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
            var cipher = ArrayPool<byte>.Shared.Rent(ChunkSize + TagSize);
            try
            {
                ulong counter = 0;
                // Read one chunk ahead: the last chunk (shorter than a whole one, possibly empty) carries the final flag.
                var filled = await FillAsync(plain, buffer.AsMemory(0, ChunkSize), ct);
                while (true)
                {
                    var final = filled < ChunkSize;
                    var nonce = Nonce(prefix, counter, final);
                    Aead.Encrypt(key, nonce, ad, buffer.AsSpan(0, filled), cipher.AsSpan(0, filled + TagSize));
                    await output.WriteAsync(cipher.AsMemory(0, filled + TagSize), ct);
                    if (final) break;
                    counter++;
                    filled = await FillAsync(plain, buffer.AsMemory(0, ChunkSize), ct);
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(buffer.AsSpan(0, ChunkSize)); // plain text does not stay behind in the pool
                ArrayPool<byte>.Shared.Return(buffer);
                ArrayPool<byte>.Shared.Return(cipher);
            }
            await output.FlushAsync(ct);
        }
        finally { CryptographicOperations.ZeroMemory(fileKey); }
    }

    /// <summary>
    /// Decrypts <paramref name="encrypted"/> to <paramref name="plain"/> with <paramref name="key"/>. Throws
    /// <see cref="BackupException"/> with a clear message when the key is not a recipient, a byte was changed or the end
    /// is missing. What was written to <paramref name="plain"/> before a failure must be thrown away by the caller.
    /// </summary>
    public static async Task DecryptAsync(Stream encrypted, Stream plain, BackupPrivateKey key, string what, CancellationToken ct = default)
    {
        var start = new byte[Magic.Length + 4];
        if (await FillAsync(encrypted, start, ct) < start.Length || !start.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new BackupException($"{what} is not an OpenIKZ backup object (its beginning is missing or changed).");
        var headerLength = BinaryPrimitives.ReadInt32BigEndian(start.AsSpan(Magic.Length));
        if (headerLength is < 2 or > 1 << 20) throw new BackupException($"{what}: the header is damaged.");
        var headerBytes = new byte[headerLength];
        if (await FillAsync(encrypted, headerBytes, ct) < headerLength) throw new BackupException($"{what} is truncated (in its header).");
        Header? header;
        try { header = JsonSerializer.Deserialize<Header>(headerBytes, BackupNames.Json); }
        catch (JsonException) { header = null; }
        if (header is not { Version: 1, Chunk: ChunkSize, Recipients.Count: > 0 } || !BackupPublicKey.TryBase64Url(header.NoncePrefix, out var prefix) || prefix.Length != 16)
            throw new BackupException($"{what}: the header is damaged or of an unknown version.");
        var ad = HeaderHash(headerBytes);

        var fileKey = Unwrap(header, key) ?? throw new BackupException(
            $"{what} cannot be opened with this key (key {key.PublicKey.KeyId}): it is not one of the recipients ({string.Join(", ", header.Recipients.Select(r => r?.KeyId))}), or the header was changed.");
        try
        {
            using var aeadKey = Key.Import(Aead, fileKey, KeyBlobFormat.RawSymmetricKey);
            // One chunk read ahead: a whole chunk is never the last, so a stream ending after one was cut off.
            const int whole = ChunkSize + TagSize;
            var current = ArrayPool<byte>.Shared.Rent(whole);
            var next = ArrayPool<byte>.Shared.Rent(whole);
            var clear = ArrayPool<byte>.Shared.Rent(ChunkSize);
            try
            {
                var length = await FillAsync(encrypted, current.AsMemory(0, whole), ct);
                ulong counter = 0;
                while (true)
                {
                    if (length < TagSize) throw new BackupException($"{what} is truncated: its end is missing.");
                    var final = length < whole;
                    var nextLength = 0;
                    if (!final && (nextLength = await FillAsync(encrypted, next.AsMemory(0, whole), ct)) == 0)
                        throw new BackupException($"{what} is truncated: its end is missing.");
                    if (!Aead.Decrypt(aeadKey, Nonce(prefix, counter, final), ad, current.AsSpan(0, length), clear.AsSpan(0, length - TagSize)))
                        throw new BackupException($"{what} was changed or is damaged (chunk {counter + 1} fails its authentication); it is not restored.");
                    await plain.WriteAsync(clear.AsMemory(0, length - TagSize), ct);
                    if (final) break;
                    (current, next) = (next, current);
                    length = nextLength;
                    counter++;
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(clear.AsSpan(0, ChunkSize));
                ArrayPool<byte>.Shared.Return(current);
                ArrayPool<byte>.Shared.Return(next);
                ArrayPool<byte>.Shared.Return(clear);
            }
        }
        finally { CryptographicOperations.ZeroMemory(fileKey); }
    }

    /// <summary>Decrypts a small object (a manifest) into memory.</summary>
    public static async Task<byte[]> DecryptToArrayAsync(Stream encrypted, BackupPrivateKey key, string what, CancellationToken ct = default)
    {
        using var plain = new MemoryStream();
        await DecryptAsync(encrypted, plain, key, what, ct);
        return plain.ToArray();
    }

    /// <summary>
    /// The recipients of one backup run, with one ephemeral X25519 key per recipient for the whole run: the key
    /// agreement and HKDF run once per recipient, not once per object and recipient (100,000 documents to four
    /// recipients would otherwise cost 800,000 X25519 operations). Each object still gets its own random file key,
    /// wrapped under the run's wrap key with its own random 192-bit nonce, so no (key, nonce) pair repeats; the header
    /// format is unchanged and every object decrypts on its own. The ephemeral private keys are discarded at once; the
    /// wrap keys live in memory for the run and are disposed with the session.
    /// </summary>
    public sealed class RecipientSession : IDisposable
    {
        private readonly List<(string KeyId, string Ephemeral, Key WrapKey)> _wraps = [];

        public RecipientSession(IReadOnlyList<BackupPublicKey> recipients)
        {
            if (recipients.Count == 0) throw new BackupException("A backup needs at least one recipient key (backup keys create).");
            Keys = recipients;
            foreach (var recipient in recipients)
            {
                using var ephemeral = Key.Create(X25519);
                var ephemeralPublic = ephemeral.PublicKey.Export(KeyBlobFormat.RawPublicKey);
                var wrapKey = DeriveWrapKey(ephemeral, PublicKey.Import(X25519, recipient.Raw, KeyBlobFormat.RawPublicKey), ephemeralPublic, recipient.Raw);
                try { _wraps.Add((recipient.KeyId, BackupPublicKey.Base64Url(ephemeralPublic), Key.Import(Aead, wrapKey, KeyBlobFormat.RawSymmetricKey))); }
                finally { CryptographicOperations.ZeroMemory(wrapKey); }
            }
        }

        public IReadOnlyList<BackupPublicKey> Keys { get; }

        internal List<Stanza> Wrap(byte[] fileKey) => _wraps.Select(w =>
        {
            var nonce = RandomNumberGenerator.GetBytes(Aead.NonceSize);
            return new Stanza(w.KeyId, w.Ephemeral, BackupPublicKey.Base64Url(nonce), BackupPublicKey.Base64Url(Aead.Encrypt(w.WrapKey, nonce, WrapInfo, fileKey)));
        }).ToList();

        public void Dispose()
        {
            foreach (var w in _wraps) w.WrapKey.Dispose();
            _wraps.Clear();
        }
    }

    private static byte[]? Unwrap(Header header, BackupPrivateKey key)
    {
        var own = key.PublicKey;
        foreach (var s in header.Recipients.Where(r => r?.KeyId == own.KeyId))
        {
            if (!BackupPublicKey.TryBase64Url(s.Ephemeral, out var eph) || eph.Length != 32 || !BackupPublicKey.TryBase64Url(s.Nonce, out var nonce)
                || nonce.Length != Aead.NonceSize || !BackupPublicKey.TryBase64Url(s.Wrapped, out var wrapped)) continue;
            PublicKey ephemeral;
            try { ephemeral = PublicKey.Import(X25519, eph, KeyBlobFormat.RawPublicKey); }
            catch (FormatException) { continue; }
            var (k, owned) = key.WrapKeyFor(s.Ephemeral, () => DeriveWrapKey(key.Key, ephemeral, eph, own.Raw));
            try
            {
                var fileKey = new byte[32];
                if (wrapped.Length == 32 + TagSize && Aead.Decrypt(k, nonce, WrapInfo, wrapped, fileKey)) return fileKey;
            }
            finally { if (owned) k.Dispose(); }
        }
        return null;
    }

    internal static byte[] DeriveWrapKey(Key own, PublicKey other, byte[] ephemeralPublic, byte[] recipientPublic)
    {
        using var shared = X25519.Agree(own, other) ?? throw new BackupException("The key agreement failed (a degenerate public key).");
        return KeyDerivationAlgorithm.HkdfSha256.DeriveBytes(shared, [.. ephemeralPublic, .. recipientPublic], WrapInfo, 32);
    }

    private static byte[] HeaderHash(byte[] headerBytes) => SHA256.HashData([.. Magic, .. headerBytes]);

    private static byte[] Nonce(byte[] prefix, ulong counter, bool final)
    {
        var nonce = new byte[24];
        prefix.CopyTo(nonce, 0);
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(16), final ? counter | FinalFlag : counter);
        return nonce;
    }

    private static async Task<int> FillAsync(Stream s, Memory<byte> buffer, CancellationToken ct)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await s.ReadAsync(buffer[filled..], ct);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }
}
