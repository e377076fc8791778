using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Hosting;

/// <summary>
/// The certificates that protect the data-protection keys at rest: the current one encrypts new keys, it and the
/// previous ones decrypt. Read from files given by the settings (not a certificate store, which a service account on
/// Linux does not have), so that every node can be given the same file.
/// </summary>
public sealed class KeyCertificates
{
    public KeyCertificates(IOptions<HostingOptions> options)
    {
        var hosting = options.Value;
        if (string.IsNullOrWhiteSpace(hosting.KeyCertificatePath)) return;
        Current = Load("Hosting:KeyCertificatePath", hosting.KeyCertificatePath, hosting.KeyCertificatePassword);
        foreach (var previous in hosting.PreviousKeyCertificatePaths.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            var (path, password) = previous.Split('|', 2) is [var p, var w] ? (p, w) : (previous, hosting.KeyCertificatePassword);
            if (Load("Hosting:PreviousKeyCertificatePaths", path, password) is { } certificate) _previous.Add(certificate);
        }
    }

    private readonly List<X509Certificate2> _previous = [];

    public X509Certificate2? Current { get; }

    /// <summary>What is wrong with the settings' certificates, each naming its setting.</summary>
    public List<string> Problems { get; } = [];

    public IEnumerable<X509Certificate2> All => Current is null ? _previous : _previous.Prepend(Current);

    private X509Certificate2? Load(string setting, string path, string? password)
    {
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
            if (certificate.GetRSAPrivateKey() is null)
            {
                Problems.Add($"{setting}: {path} has no RSA private key; the keys are encrypted with RSA.");
                return null;
            }

            return certificate;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            Problems.Add($"{setting}: the certificate {path} could not be read ({e.Message.TrimEnd('.')}). " +
                         "Give a readable PKCS#12 (.pfx) file and its password in Hosting:KeyCertificatePassword.");
            return null;
        }
    }

    /// <summary>The certificate with this thumbprint, or null.</summary>
    public X509Certificate2? WithThumbprint(string thumbprint) =>
        All.FirstOrDefault(c => string.Equals(c.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Encrypts a new key with the current certificate (XML encryption, as the framework's own certificate
/// encryptor does), marked for <see cref="CertificateKeyDecryptor"/>, which finds the certificate among the settings'
/// ones rather than in a certificate store.</summary>
public sealed class CertificateKeyEncryptor(X509Certificate2 certificate) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var document = new XmlDocument();
        document.Load(new XElement("root", plaintextElement).CreateReader());
        var encrypted = new EncryptedXml(document).Encrypt((XmlElement)document.DocumentElement!.FirstChild!, certificate);
        return new EncryptedXmlInfo(XElement.Parse(encrypted.GetXml().OuterXml), typeof(CertificateKeyDecryptor));
    }
}

/// <summary>Decrypts a key <see cref="CertificateKeyEncryptor"/> wrote, with whichever of the configured certificates
/// it names. The data-protection system creates it by type name, with the service provider.</summary>
public sealed class CertificateKeyDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var document = new XmlDocument();
        document.Load(new XElement("root", encryptedElement).CreateReader());
        new ConfiguredCertificatesXml(document, services.GetRequiredService<KeyCertificates>()).DecryptDocument();
        return XElement.Load(document.DocumentElement!.FirstChild!.CreateNavigator()!.ReadSubtree());
    }

    private sealed class ConfiguredCertificatesXml(XmlDocument document, KeyCertificates certificates) : EncryptedXml(document)
    {
        public override byte[]? DecryptEncryptedKey(EncryptedKey encryptedKey)
        {
            foreach (var info in encryptedKey.KeyInfo.OfType<KeyInfoX509Data>())
            foreach (var named in info.Certificates?.OfType<X509Certificate2>() ?? [])
            {
                if (certificates.WithThumbprint(named.Thumbprint)?.GetRSAPrivateKey() is not { } key) continue;
                using (key)
                    return DecryptKey(encryptedKey.CipherData.CipherValue!, key, encryptedKey.EncryptionMethod?.KeyAlgorithm == XmlEncRSAOAEPUrl);
            }

            throw new CryptographicException(
                "A data-protection key is encrypted with a certificate that is not configured: give it in Hosting:KeyCertificatePath " +
                "or Hosting:PreviousKeyCertificatePaths.");
        }
    }
}
