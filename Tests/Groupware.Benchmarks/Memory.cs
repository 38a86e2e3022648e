using System.Globalization;

namespace Groupware.Benchmarks;

/// <summary>What a process uses, read from /proc (no diagnostics tools needed).</summary>
internal static class Memory
{
    private const long GiB = 1024 * 1024;
    private const long MallocArenaKiB = 64 * 1024;

    /// <summary>The resident set of a process in KiB (<c>VmRSS</c> of /proc/PID/status).</summary>
    public static long ResidentKiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"no VmRSS for process {pid}");
    }

    /// <summary>
    /// The proportional set size (<c>Pss</c> of /proc/PID/smaps_rollup) of processes summed, in KiB: pages
    /// shared by several of them (libraries, copy-on-write after fork) count once in all. Processes that
    /// ended meanwhile count nothing.
    /// </summary>
    public static long ProportionalKiB(IEnumerable<int> pids)
    {
        long total = 0;
        foreach (var pid in pids)
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
                {
                    if (line.StartsWith("Pss:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                        break;
                    }
                }
            }
            catch (IOException)
            {
                // Gone.
            }
        }

        return total;
    }

    /// <summary>The name of a process's executable (/proc/PID/comm), e.g. <c>imap-login</c>; empty when it has ended.</summary>
    public static string CommandName(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>
    /// The resident set of a .NET process split by kind of mapping, from /proc/PID/smaps: the managed
    /// heap (the GC's regions live in one reservation of hundreds of GiB, of which the committed parts
    /// are resident), malloc (the <c>[heap]</c> and glibc's 64 MiB thread arenas: OpenSSL's buffers,
    /// the runtime's native allocations), mapped files (code, assemblies, ICU data) and other anonymous
    /// mappings (thread stacks, JIT code, large native allocations mapped on their own). Adjacent
    /// anonymous mappings are taken as one reservation, as the kernel splits one when parts of it are committed.
    /// </summary>
    public static string Breakdown(int pid)
    {
        var runs = new List<(long Start, long End, long Rss)>();
        long heap = 0, files = 0;
        string? name = null;
        long start = 0, end = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            // A mapping's header is "start-end perms offset dev inode [path]"; its fields follow as "Name: value kB".
            var first = line.IndexOf(' ', StringComparison.Ordinal);
            if (first > 0 && line[first - 1] != ':')
            {
                var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                var range = fields[0].Split('-');
                start = long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                end = long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                name = fields.Length > 5 ? fields[5].Trim() : "";
                continue;
            }

            if (!line.StartsWith("Rss:", StringComparison.Ordinal) || name is null)
            {
                continue;
            }

            var rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            if (name == "[heap]")
            {
                heap += rss;
            }
            else if (name.StartsWith('/'))
            {
                files += rss;
            }
            else if (name.Length == 0)
            {
                if (runs.Count > 0 && runs[^1].End == start)
                {
                    runs[^1] = (runs[^1].Start, end, runs[^1].Rss + rss);
                }
                else
                {
                    runs.Add((start, end, rss));
                }
            }
        }

        long managed = 0, arenas = 0, other = 0;
        foreach (var (runStart, runEnd, rss) in runs)
        {
            var spanKiB = (runEnd - runStart) / 1024;
            if (spanKiB >= 64 * GiB)
            {
                managed += rss;
            }
            else if (spanKiB % MallocArenaKiB == 0 && runStart % (MallocArenaKiB * 1024) == 0)
            {
                arenas += rss;
            }
            else
            {
                other += rss;
            }
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"managed heap {managed / 1024.0:N1} MiB, malloc {(heap + arenas) / 1024.0:N1} MiB, files {files / 1024.0:N1} MiB, other anonymous {other / 1024.0:N1} MiB");
    }
}

/// <summary>CPU time processes used, read from /proc/PID/stat.</summary>
internal static class Cpu
{
    /// <summary>USER_HZ: the unit of /proc/PID/stat's times on Linux.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>
    /// Seconds of CPU (user and system) the processes used so far; with <paramref name="reaped"/>, also
    /// what their children that have ended used (a process that forks one per session, like Dovecot's master).
    /// Processes that ended meanwhile count nothing.
    /// </summary>
    public static double Seconds(IEnumerable<int> pids, bool reaped = false)
    {
        double ticks = 0;
        foreach (var pid in pids)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // After the command: state ppid ... utime (14th field of the line) stime cutime cstime.
                ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
                if (reaped)
                {
                    ticks += double.Parse(fields[13], CultureInfo.InvariantCulture) + double.Parse(fields[14], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // Gone.
            }
        }

        return ticks / TicksPerSecond;
    }
}
