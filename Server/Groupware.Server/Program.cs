using Groupware.Server.Cli;

return await GroupwareCommand.Create().Parse(args).InvokeAsync();
