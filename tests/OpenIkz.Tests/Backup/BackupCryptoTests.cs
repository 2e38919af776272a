using System.Text;
using OpenIkz.Backup;

namespace OpenIkz.Tests.Backup;

/// <summary>
/// The encryption of backup objects: any one recipient decrypts; a key that is not a recipient, a changed byte anywhere,
/// a cut-off end (also exactly at a chunk boundary) and appended bytes are refused with a clear message; the ciphertext
/// holds nothing of the content in the clear.
/// </summary>
public sealed class BackupCryptoTests
{
    private static async Task<byte[]> EncryptAsync(byte[] plain, params BackupPublicKey[] recipients)
    {
        using var output = new MemoryStream();
        await BackupCrypto.EncryptAsync(new MemoryStream(plain), output, recipients);
        return output.ToArray();
    }

    private static async Task<byte[]> DecryptAsync(byte[] encrypted, BackupPrivateKey key) =>
        await BackupCrypto.DecryptToArrayAsync(new MemoryStream(encrypted), key, "the object");

    private static byte[] Content(int length)
    {
        var rng = new Random(length);
        var bytes = new byte[length];
        rng.NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(BackupCrypto.ChunkSize - 1)]
    [InlineData(BackupCrypto.ChunkSize)]
    [InlineData(BackupCrypto.ChunkSize + 1)]
    [InlineData(3 * BackupCrypto.ChunkSize)]
    [InlineData(200_001)]
    public async Task EachRecipient_DecryptsTheSameBytes(int length)
    {
        using var operatorKey = BackupPrivateKey.Create();
        using var partnerKey = BackupPrivateKey.Create();
        var plain = Content(length);
        var encrypted = await EncryptAsync(plain, operatorKey.PublicKey, partnerKey.PublicKey);
        Assert.Equal(plain, await DecryptAsync(encrypted, operatorKey));
        Assert.Equal(plain, await DecryptAsync(encrypted, partnerKey));
        // Two encryptions of the same content differ (a fresh file key and nonces each time).
        Assert.NotEqual(encrypted, await EncryptAsync(plain, operatorKey.PublicKey, partnerKey.PublicKey));
    }

    [Fact]
    public async Task AKeyThatIsNoRecipient_IsRefusedByName()
    {
        using var recipient = BackupPrivateKey.Create();
        using var stranger = BackupPrivateKey.Create();
        var encrypted = await EncryptAsync(Content(1000), recipient.PublicKey);
        var e = await Assert.ThrowsAsync<BackupException>(() => DecryptAsync(encrypted, stranger));
        Assert.Contains("not one of the recipients", e.Message);
        Assert.Contains(stranger.PublicKey.KeyId, e.Message);
        Assert.Contains(recipient.PublicKey.KeyId, e.Message);
    }

    [Fact]
    public async Task EveryChangedByte_IsDetected()
    {
        using var key = BackupPrivateKey.Create();
        var encrypted = await EncryptAsync(Content(2 * BackupCrypto.ChunkSize + 100), key.PublicKey);
        // Every byte of the header region, and a sample across the chunks and their tags.
        var positions = Enumerable.Range(0, 700).Concat(Enumerable.Range(0, 400).Select(i => 700 + i * (encrypted.Length - 701) / 400)).Distinct();
        foreach (var at in positions)
        {
            var changed = (byte[])encrypted.Clone();
            changed[at] ^= 0x01;
            await Assert.ThrowsAsync<BackupException>(() => DecryptAsync(changed, key));
        }
    }

    [Fact]
    public async Task ACutOffEnd_AndAppendedBytes_AreRefused()
    {
        using var key = BackupPrivateKey.Create();
        var plain = Content(3 * BackupCrypto.ChunkSize); // a whole number of chunks: the last one is empty
        var encrypted = await EncryptAsync(plain, key.PublicKey);
        const int sealedChunk = BackupCrypto.ChunkSize + 16;
        // Cut exactly after a whole chunk (the most dangerous place: every remaining chunk is intact) and inside one.
        foreach (var cut in new[] { encrypted.Length - 16, encrypted.Length - 16 - sealedChunk, encrypted.Length - 1, 10, encrypted.Length - 16 - 5 })
        {
            var e = await Assert.ThrowsAsync<BackupException>(() => DecryptAsync(encrypted[..cut], key));
            Assert.True(e.Message.Contains("truncated") || e.Message.Contains("changed") || e.Message.Contains("damaged"), e.Message);
        }
        await Assert.ThrowsAsync<BackupException>(() => DecryptAsync([.. encrypted, 0x00], key));
        await Assert.ThrowsAsync<BackupException>(() => DecryptAsync([.. encrypted, .. encrypted[^sealedChunk..]], key));
    }

    [Fact]
    public async Task TheCiphertext_HoldsNoContentInTheClear()
    {
        using var key = BackupPrivateKey.Create();
        var text = string.Concat(Enumerable.Repeat("Antrag auf Wohngeld von Erika Mustermann, Hauptstraße 1, 67227 Frankenthal. ", 3000));
        var encrypted = await EncryptAsync(Encoding.UTF8.GetBytes(text), key.PublicKey);
        var latin = Encoding.Latin1.GetString(encrypted);
        Assert.DoesNotContain("Mustermann", latin);
        Assert.DoesNotContain("Wohngeld", latin);
        Assert.DoesNotContain("Frankenthal", latin);
        Assert.Equal(text, Encoding.UTF8.GetString(await DecryptAsync(encrypted, key)));
    }

    [Fact]
    public void Keys_RoundTripThroughTheirTextForms()
    {
        using var key = BackupPrivateKey.Create();
        using var again = BackupPrivateKey.Parse("# OpenIKZ backup key\n" + key.Export() + "\n");
        Assert.Equal(key.PublicKey.Text, again.PublicKey.Text);
        Assert.Equal(key.PublicKey.Raw, BackupPublicKey.Parse(key.PublicKey.Text).Raw);
        Assert.StartsWith("oikzpub1", key.PublicKey.Text);
        Assert.Throws<BackupException>(() => BackupPublicKey.Parse("oikzpub1AAAA"));
        Assert.Throws<BackupException>(() => BackupPrivateKey.Parse(key.PublicKey.Text));
    }
}
