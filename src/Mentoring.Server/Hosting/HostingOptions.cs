namespace Mentoring.Server.Hosting;

/// <summary>The <c>Hosting</c> section of appsettings.json (how this node is deployed), and the top-level
/// <c>PublicBaseUrl</c>.</summary>
public sealed class HostingOptions
{
    public const string Section = "Hosting";
    public const string PublicBaseUrlKey = "PublicBaseUrl";

    /// <summary>The address people reach the app at, behind the proxy (<c>https://mentoring.example.org</c>). Every link
    /// in an email starts with it; when it is https the app redirects to https, sends HSTS and marks its cookies Secure.
    /// Required in Production. Read from the top-level <c>PublicBaseUrl</c> key.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Addresses of the reverse proxies whose X-Forwarded-For, -Proto and -Host headers are believed. Empty
    /// (with <see cref="KnownNetworks"/>): the headers are ignored, from anybody.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form (<c>10.0.0.0/24</c>).</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>A PKCS#12 (.pfx) file whose certificate encrypts the data-protection keys in the database.</summary>
    public string? KeyCertificatePath { get; set; }
    public string? KeyCertificatePassword { get; set; }

    /// <summary>Certificates used before the current one, kept to read keys they encrypted (rotating the certificate).
    /// Each is a .pfx path; they share <see cref="KeyCertificatePassword"/> unless given as <c>path|password</c>.</summary>
    public string[] PreviousKeyCertificatePaths { get; set; } = [];

    /// <summary>Start in Production without <see cref="KeyCertificatePath"/>, keys in the database in plain form.</summary>
    public bool AllowUnprotectedKeys { get; set; }

    /// <summary>How many nodes serve this database. More than one needs PostgreSQL.</summary>
    public int Nodes { get; set; } = 1;

    public Uri? PublicUri => Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) ? uri : null;

    public bool IsHttps => PublicUri?.Scheme == Uri.UriSchemeHttps;
}
