using Groupware.Server.Cli;

var parse = GroupwareCommand.Create().Parse(args);
return ProbeCommand.ExitCode(parse, await parse.InvokeAsync());
