namespace Groupware.Benchmarks;

/// <summary>
/// One benchmark: it measures, prints figures (medians of several runs, and the ratio against a
/// peer measured in the same run where there is one) and returns an exit code. Benchmarks are
/// never part of the test suite; speed is not asserted anywhere.
/// </summary>
internal interface IBenchmark
{
    /// <summary>The name given on the command line, e.g. <c>lmtp</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>list</c>.</summary>
    string Description { get; }

    Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}
