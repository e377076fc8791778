using System.Reflection;

namespace Mentoring.Server.Inputs;

/// <summary>
/// Runs <see cref="Input"/> over every argument an API endpoint binds from the request (route and query text, and
/// request bodies), before the endpoint runs, so no endpoint can forget it: bad input is a 400 with field errors.
/// </summary>
public static class InputFilter
{
    public const string Title = "The request has invalid input.";

    public static TBuilder ValidateInput<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory(Create);

    private static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var services = context.ApplicationServices.GetService<IServiceProviderIsService>();
        var checks = context.MethodInfo.GetParameters()
            .Select((parameter, index) => (parameter, index))
            .Where(p => FromRequest(p.parameter, services))
            .ToList();
        if (checks.Count == 0) return next;
        var rules = checks.ToDictionary(c => c.index, c => c.parameter.GetCustomAttribute<TextAttribute>() ?? new TextAttribute(Limits.Line));

        return async invocation =>
        {
            var now = invocation.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            var errors = new List<InputError>();
            foreach (var (parameter, index) in checks)
            {
                if (invocation.Arguments[index] is string text)
                    Input.CheckText(errors, parameter.Name!, parameter.Name!, text, rules[index]);
                else
                    Input.Check(errors, invocation.Arguments[index], now);
            }

            return errors.Count == 0 ? await next(invocation) : TypedResults.ValidationProblem(Input.Problem(errors), title: Title);
        };
    }

    /// <summary>Text, and the server's own request records; not services, contexts or tokens.</summary>
    private static bool FromRequest(ParameterInfo parameter, IServiceProviderIsService? services)
    {
        var type = parameter.ParameterType;
        if (type == typeof(string)) return true;
        return type.Assembly == typeof(InputFilter).Assembly && type.IsClass && services?.IsService(type) != true;
    }
}
