
namespace Groupware.Tests;

/// <summary>Set-up and tear-down of the whole run: in the root namespace, so it covers every test.</summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeSetUp]
    public Task CreateAsync() => TestDatabase.CreateRunDatabaseAsync();

    [OneTimeTearDown]
    public Task DropAsync() => TestDatabase.DropRunDatabaseAsync();
}
