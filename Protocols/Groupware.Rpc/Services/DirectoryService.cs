using Grpc.Core;
using Groupware.Rpc.V1;
using Groupware.Storage.Accounts;

namespace Groupware.Rpc.Services;

/// <summary>Directory.ResolveNames (MAPI's ResolveNames): addresses and names of the installation's accounts, from <see cref="AddressBook"/>.</summary>
internal sealed class DirectoryService(AddressBook addressBook, RpcOptions options) : V1.Directory.DirectoryBase
{
    public override async Task<ResolveNamesReply> ResolveNames(ResolveNamesRequest request, ServerCallContext context)
    {
        if (request.Names.Count > options.MaxNamesPerCall)
        {
            throw RpcErrors.OverLimit("too-many-names", "Rpc:MaxNamesPerCall", options.MaxNamesPerCall, "names", $"{request.Names.Count} names in one call are too many");
        }

        var reply = new ResolveNamesReply();
        foreach (var name in request.Names)
        {
            var resolution = new Resolution { Name = name };
            foreach (var entry in await addressBook.ResolveAsync(name, options.MaxResolveMatches, context.CancellationToken))
            {
                var match = new DirectoryEntry { Login = entry.Login, DisplayName = entry.DisplayName, PrimaryAddress = entry.PrimaryAddress };
                match.Aliases.AddRange(entry.Aliases);
                resolution.Matches.Add(match);
            }

            reply.Resolutions.Add(resolution);
        }

        return reply;
    }
}
