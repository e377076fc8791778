using System.Xml.Linq;
using Mentoring.Server.Data;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Accounts;

/// <summary>The data-protection key ring in the database, so every node signs and reads cookies and antiforgery
/// tokens with the same keys.</summary>
public sealed class DatabaseXmlRepository(IDbContextFactory<MentoringDb> dbs) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = dbs.CreateDbContext();
        return db.Set<DataProtectionKey>().AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList()
            .Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = dbs.CreateDbContext();
        db.Set<DataProtectionKey>().Add(new DataProtectionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
