using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Data;

/// <summary>Column names as the hand-written SQL in Migrations/ spells them: each feature's entity configurations call it.</summary>
internal static class SnakeCase
{
    public static void Snake<T>(this EntityTypeBuilder<T> builder) where T : class
    {
        foreach (var property in builder.Metadata.GetDeclaredProperties())
            property.SetColumnName(ToSnake(property.Name));
    }

    public static string ToSnake(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) builder.Append('_');
            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
