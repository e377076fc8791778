using System.Security.Claims;
using Mentoring.Server.Auth;
using Mentoring.Server.Calendar;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Microsoft.Extensions.Options;
using Mentoring.Server.Pairs;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Visits;

/// <summary>The visit's own rows with the engine's commands, in the resume's transaction: the plan with its proposal,
/// the invitations with its confirmation, the structured report with its report. A plan or report that is not valid
/// refuses the command (400 naming the field), so nothing of it is written.</summary>
public sealed class StudyVisitRows(IServiceScopeFactory scopes, TimeProvider clock, IOptions<EmailOptions> email) : IWorkItemCommandRows
{
    public async Task<CommandResult?> AddAsync(MentoringDb db, WorkItemCommand command, WorkItem item, ClaimsPrincipal user, CancellationToken ct)
    {
        if (command is not (ProposeStudyVisitCommand or ConfirmVisitCommand or ReportStudyVisitCommand)) return null;
        var group = await db.Groups.AsNoTracking().SingleAsync(g => g.InstanceId == item.InstanceId, ct);
        var members = await db.GroupMembers.AsNoTracking().Where(m => m.GroupId == group.Id).ToListAsync(ct);
        var now = clock.GetUtcNow();
        switch (command)
        {
            case ProposeStudyVisitCommand propose:
                var errors = await StudyVisit.CheckAsync(db, propose.Plan, group, members, now, ct);
                if (errors.Count > 0) return CommandResult.Fail(CommandFailure.Invalid, "The visit's plan is not accepted.", errors: errors);
                propose.HostName = await db.Cities.Where(c => c.Id == propose.Plan.HostCity!.Trim()).Select(c => c.Name).SingleAsync(ct);
                await StudyVisit.WriteAsync(db, propose.Plan, item, group, members, now, ct);
                return null;
            case ConfirmVisitCommand:
                await InviteAsync(db, item, [], ct);
                return null;
            case ReportStudyVisitCommand report:
                if (!await db.Set<VisitPlan>().AnyAsync(p => p.ItemId == item.Id, ct))
                    return CommandResult.Fail(CommandFailure.Conflict, "The visit has no plan",
                        "This visit was proposed without a plan; report it with a note or a link instead.");
                var reportErrors = await StudyVisit.CheckReportAsync(db, report.Report, group, members, now, ct);
                if (reportErrors.Count > 0) return CommandResult.Fail(CommandFailure.Invalid, "The report is not accepted.", errors: reportErrors);
                StudyVisit.WriteReport(db, report.Report, item, group, user.PersonId(), now);
                return null;
        }

        return null;
    }

    /// <summary>Queues the invitations of a planned visit; nothing for a visit proposed without a plan.</summary>
    public async Task InviteAsync(MentoringDb db, WorkItem item, IReadOnlyList<VisitSession> before, CancellationToken ct)
    {
        var plan = await db.Set<VisitPlan>().SingleOrDefaultAsync(p => p.ItemId == item.Id, ct);
        if (plan is null) return;
        // Sessions just replaced in this context are the tracked ones; read them from it, not from the database.
        var sessions = db.ChangeTracker.Entries<VisitSession>().Any(e => e.Entity.ItemId == item.Id && e.State == EntityState.Added)
            ? db.ChangeTracker.Entries<VisitSession>().Where(e => e.Entity.ItemId == item.Id && e.State == EntityState.Added).Select(e => e.Entity).ToList()
            : await db.Set<VisitSession>().AsNoTracking().Where(s => s.ItemId == item.Id).ToListAsync(ct);
        using var scope = scopes.CreateScope();
        var invitations = scope.ServiceProvider.GetRequiredService<ICalendarInvitations>();
        await VisitInvitations.QueueAsync(db, invitations, plan, sessions, before, item.Title, item.InstanceId, email.Value.PublicUrl, ct);
    }
}
