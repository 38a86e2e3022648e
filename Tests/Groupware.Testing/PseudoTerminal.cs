using System.Text.Json;

namespace Groupware.Testing;

/// <summary>What a <see cref="PseudoTerminal"/> waits for, and what it types when it comes.</summary>
/// <param name="Expect">A regular expression (Python's) over what the program wrote since the last step.</param>
/// <param name="Send">The line typed then (a newline is added).</param>
public sealed record TerminalStep(string Expect, string Send);

/// <summary>
/// Runs a program on a pseudo-terminal, for clients that only ask on a tty (cadaver's "accept the
/// certificate?" and its password prompt): a small Python driver (<c>pty.fork</c>) waits for each
/// expected prompt, at most <c>stepTimeout</c>, types the answer, and ends with the program's
/// transcript. A prompt that never comes fails the run with what the program said instead; the
/// whole run is bounded by <see cref="ExternalProcess"/>'s timeout too.
/// </summary>
public static class PseudoTerminal
{
    private const string Driver = """
        import json, os, pty, re, select, sys, time
        steps = json.load(open(sys.argv[1]))
        step_timeout = float(sys.argv[2])
        pid, fd = pty.fork()
        if pid == 0:
            os.execvp(sys.argv[3], sys.argv[3:])
        transcript = b""
        pending = b""
        def read(deadline):
            global transcript, pending
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.time()))
            if not ready:
                return False
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                raise EOFError()
            transcript += data
            pending += data
            return True
        code = 0
        try:
            for expect, send in steps:
                deadline = time.time() + step_timeout
                while not re.search(expect.encode(), pending):
                    if time.time() > deadline:
                        transcript += b"\n[driver: no match for " + expect.encode() + b" within the step timeout]\n"
                        code = 3
                        raise EOFError()
                    read(deadline)
                pending = b""
                os.write(fd, send.encode() + b"\n")
            deadline = time.time() + step_timeout
            while time.time() < deadline:
                read(deadline)
            transcript += b"\n[driver: the program did not end within the step timeout]\n"
            code = 4
        except EOFError:
            pass
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(transcript.decode("utf-8", "replace"))
        sys.exit(code or (os.WEXITSTATUS(status) if os.WIFEXITED(status) else 0))
        """;

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> through the steps; the transcript is the result's output.</summary>
    public static async Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, IReadOnlyList<TerminalStep> steps,
        TimeSpan stepTimeout, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var directory = Directory.CreateTempSubdirectory("gwtest-pty-").FullName;
        try
        {
            var driver = Path.Combine(directory, "driver.py");
            var stepsFile = Path.Combine(directory, "steps.json");
            await File.WriteAllTextAsync(driver, Driver);
            await File.WriteAllTextAsync(stepsFile, JsonSerializer.Serialize(steps.Select(s => new[] { s.Expect, s.Send })));
            var total = stepTimeout * (steps.Count + 2);
            return await ExternalProcess.RunAsync(ExternalProcess.Require("python3"),
                [driver, stepsFile, stepTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), ExternalProcess.Require(program), .. arguments],
                timeout: total, environment: environment, workingDirectory: workingDirectory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
