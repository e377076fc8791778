namespace Mentoring.Server.Matching;

/// <summary>The proposal's reasons in words, in the reader's language: why each pair, what its runner-up would have
/// scored, what the constraints cost, and how the groups that already run compare.</summary>
public static class MatchingReasons
{
    public static IReadOnlyList<string> ForPair(MatchingProposal proposal, ProposedPair pair, Words text)
    {
        var names = Names(proposal);
        var theme = proposal.Themes.FirstOrDefault(t => t.Id == pair.Theme)?.Title ?? pair.Theme;
        var reasons = new List<string>
        {
            string.Format(text["{0} mentors {1} on “{2}”: {3} of {4} points, the part of {1}'s needs on this theme that {0}'s strengths cover."],
                names[pair.Mentor], names[pair.Mentee], theme, pair.Score, pair.Possible),
        };
        if (pair.Breakdown.FirstOrDefault(b => b.Points > 0) is { } top)
            reasons.Add(string.Format(text["The largest part comes from “{0}”: need {1}, strength {2}, weight {3}, so {4} points."],
                top.Text, top.Need, top.Strength, top.Weight, top.Points));
        if (pair.Locked) reasons.Add(text["You locked this pairing."]);
        if (pair.RunnerUp is { } runner)
        {
            if (runner.Gap >= 0)
                reasons.Add(string.Format(text["Runner-up for {0}: {1} with {2} points, {3} fewer."], names[pair.Mentee], names[runner.Mentor], runner.Score, runner.Gap));
            else if (proposal.Pairs.FirstOrDefault(p => p.Mentor == runner.Mentor && p.Locked) is { } locked)
                reasons.Add(string.Format(text["{1} would score {2} points with {0}, {3} more, but you locked {1} to {4}."],
                    names[pair.Mentee], names[runner.Mentor], runner.Score, -runner.Gap, names[locked.Mentee]));
            else if (proposal.Pairs.FirstOrDefault(p => p.Mentor == runner.Mentor) is { } elsewhere)
                reasons.Add(string.Format(text["{1} would score {2} points with {0}, {3} more, but the programme's total is higher with {1} mentoring {4}."],
                    names[pair.Mentee], names[runner.Mentor], runner.Score, -runner.Gap, names[elsewhere.Mentee]));
            else
                reasons.Add(string.Format(text["{1} would score {2} points with {0}, {3} more, but your constraints keep it out of this pair."],
                    names[pair.Mentee], names[runner.Mentor], runner.Score, -runner.Gap));
        }

        return reasons;
    }

    public static IReadOnlyList<string> Overall(MatchingProposal proposal, Words text)
    {
        var names = Names(proposal);
        var lines = new List<string> { string.Format(text["The proposal's total is {0} points, the highest any set of pairs reaches under your constraints."], proposal.Total) };
        if (proposal.Unmatched.Count > 0)
            lines.Add(string.Format(text["Not matched: {0}."], string.Join(", ", proposal.Unmatched.Select(m => names[m]))));
        if (proposal.Unconstrained is { } free)
            lines.Add(proposal.Cost == 0
                ? text["Your locks and forbids cost nothing: the best total without them is the same."]
                : string.Format(text["Your locks and forbids cost {0} points: without them the best total is {1}, with them {2}."], proposal.Cost, free.Total, proposal.Total));
        if (proposal.Waiting.Count > 0)
            lines.Add(string.Format(text["Not in the proposal until they submit their assessment: {0}."], string.Join(", ", proposal.Waiting.Select(w => w.Name))));
        if (proposal.Existing.Count > 0)
        {
            var agree = proposal.Existing.Count(g => g.InProposal);
            lines.Add(string.Format(text["{0} groups already run, formed before this proposal; it agrees with {1} of them. Their total is {2} points, the proposal's {3}. Publishing forms only the pairs that do not run yet."],
                proposal.Existing.Count, agree, proposal.Existing.Sum(g => g.Score), proposal.Total));
        }

        return lines;
    }

    private static Dictionary<string, string> Names(MatchingProposal proposal) =>
        proposal.Mentors.Concat(proposal.Mentees).Concat(proposal.Waiting).DistinctBy(c => c.Id).ToDictionary(c => c.Id, c => c.Name);
}
