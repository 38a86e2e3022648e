using System.Text.Json;
using static Groupware.Tests.Rpc.RpcFixture;

namespace Groupware.Tests.Rpc;

/// <summary>
/// A second, independent client: Debian's python3-grpcio, with stubs that python3-grpc-tools
/// generates from the project's .proto in the test (nothing generated is checked in). Over TLS it
/// logs on, works through folders and items, follows sync tokens and waits for a notification
/// while the test delivers over LMTP; in clear, on the TLS port and on a legacy node's clear-text
/// listener, its logon gets nowhere.
/// </summary>
public sealed class RpcPythonClientTests
{
    private const string Script = """
        import json, os, subprocess, sys, tempfile, threading, time, socket
        proto_dir, port, ca, login, password, legacy_port, lmtp_port = sys.argv[1:8]
        out = tempfile.mkdtemp()
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I" + proto_dir, "--python_out=" + out, "--grpc_python_out=" + out,
                        os.path.join(proto_dir, "groupware_rpc.proto")], check=True)
        sys.path.insert(0, out)
        import grpc
        import groupware_rpc_pb2 as pb, groupware_rpc_pb2_grpc as rpc
        res = {}
        creds = grpc.ssl_channel_credentials(root_certificates=open(ca, "rb").read())
        tls = grpc.secure_channel("127.0.0.1:" + port, creds, (("grpc.ssl_target_name_override", "localhost"),))
        def refused(channel):
            try:
                rpc.SessionStub(channel).Logon(pb.LogonRequest(login=login, password=password), timeout=5)
                return "OK"
            except grpc.RpcError as e:
                return e.code().name
        res["h2c_to_tls_port"] = refused(grpc.insecure_channel("127.0.0.1:" + port))
        legacy = grpc.insecure_channel("127.0.0.1:" + legacy_port)
        res["legacy_clear"] = refused(legacy)
        try:
            rpc.SessionStub(legacy).Logon(pb.LogonRequest(login=login, password=password), timeout=5)
        except grpc.RpcError as e:
            detail = dict(e.trailing_metadata()).get("groupware-error-bin")
            res["legacy_reason"] = pb.ErrorDetail.FromString(detail).reason if detail else None
        logon = rpc.SessionStub(tls).Logon(pb.LogonRequest(login=login, password=password, client_name="python"))
        md = (("authorization", "Bearer " + logon.session_token),)
        folders = rpc.FoldersStub(tls)
        items = rpc.ItemsStub(tls)
        sync = rpc.SyncStub(tls)
        listing = folders.List(pb.ListFoldersRequest(), metadata=md)
        inbox = [f for f in listing.folders if f.role == pb.FOLDER_ROLE_INBOX][0]
        made = folders.Create(pb.CreateFolderRequest(display_name="From Python"), metadata=md)
        res["made"] = made.path
        mime = ("From: <%s@example.test>\r\nTo: <x@example.org>\r\nSubject: py item\r\n\r\nbody\r\n" % login).encode()
        ref = items.Create(pb.CreateItemRequest(folder_id=made.folder_id, mime=mime), metadata=md)
        q = items.Query(pb.QueryRequest(folder_id=made.folder_id, columns=[pb.PROP_TAG_SUBJECT, pb.PROP_TAG_READ],
                        restriction=pb.Restriction(content=pb.ContentRestriction(tag=pb.PROP_TAG_SUBJECT, substring="PY", ignore_case=True))), metadata=md)
        res["query"] = [[r.values[0].text, r.values[1].boolean] for r in q.rows] + [q.total_count]
        parts = list(items.Get(pb.GetItemRequest(item_id=ref.item_id, properties=[pb.PROP_TAG_SUBJECT], include_content=True), metadata=md))
        res["get_subject"] = parts[0].properties.values[0].text
        res["get_content"] = b"".join(p.content_chunk for p in parts[1:]) == mime
        first = sync.Contents(pb.SyncContentsRequest(folder_id=made.folder_id), metadata=md)
        up = items.Update(pb.UpdateItemRequest(item_id=ref.item_id, change_key=ref.change_key, set_flags=pb.MESSAGE_FLAG_READ), metadata=md)
        try:
            items.Update(pb.UpdateItemRequest(item_id=ref.item_id, change_key=ref.change_key, set_flags=pb.MESSAGE_FLAG_FLAGGED), metadata=md)
            res["stale_update"] = "OK"
        except grpc.RpcError as e:
            res["stale_update"] = e.code().name
        second = sync.Contents(pb.SyncContentsRequest(folder_id=made.folder_id, sync_token=first.sync_token), metadata=md)
        res["sync"] = [len(first.changes), first.changes[0].kind, [c.kind for c in second.changes], second.changes[0].flags & pb.MESSAGE_FLAG_READ,
                       second.changes[0].change_key == up.change_key]
        moved = items.Move(pb.MoveItemsRequest(item_ids=[ref.item_id], target_folder_id=inbox.folder_id), metadata=md)
        third = sync.Contents(pb.SyncContentsRequest(folder_id=made.folder_id, sync_token=second.sync_token), metadata=md)
        res["moved_away"] = list(third.deleted_item_ids) == [ref.item_id] and len(moved.new_item_ids) == 1
        stream = rpc.NotificationsStub(tls).Subscribe(pb.SubscribeRequest(), metadata=md, timeout=30)
        got = []
        def reader():
            try:
                for ev in stream:
                    if ev.kind == pb.NOTIFICATION_KIND_NEW_MAIL:
                        got.append(ev); break
            except grpc.RpcError:
                pass
        th = threading.Thread(target=reader, daemon=True); th.start()
        stream.initial_metadata()
        # An LMTP delivery (RFC 2033) to the account, as the MTA makes it, once the subscription is in place.
        lmtp = socket.create_connection(("127.0.0.1", int(lmtp_port)), 10); f = lmtp.makefile("rwb")
        def reply():
            while True:
                line = f.readline()
                if len(line) < 4 or line[3:4] != b"-": return line
        reply()
        for line in ("LHLO python", "MAIL FROM:<a@example.net>", "RCPT TO:<%s@example.test>" % login, "DATA"):
            f.write(line.encode() + b"\r\n"); f.flush(); reply()
        f.write(b"Subject: for python\r\n\r\nhello\r\n.\r\n"); f.flush()
        res["delivered"] = reply().decode().strip()[:3]
        lmtp.close()
        th.join(10); stream.cancel()
        res["notified"] = [got[0].folder_id == inbox.folder_id, len(got[0].item_ids), got[0].total_count] if got else None
        rpc.SessionStub(tls).Logoff(pb.LogoffRequest(), metadata=md)
        try:
            folders.List(pb.ListFoldersRequest(), metadata=md); res["after_logoff"] = "OK"
        except grpc.RpcError as e:
            res["after_logoff"] = e.code().name
        print(json.dumps(res, separators=(",", ":")), flush=True)
        """;

    [Test]
    public async Task Python_grpcio_with_stubs_from_the_proto_logs_on_only_over_TLS_and_works_through_folders_items_sync_and_notifications()
    {
        // Debian's interpreter, where python3-grpcio and python3-grpc-tools are installed (deploy/dev/test.sh).
        const string python = "/usr/bin/python3";
        await using var node = await StartSecureNodeAsync();
        await using var legacy = await StartLegacyNodeAsync();
        var login = await CreateAccountAsync();
        var protos = Path.Combine(Repository.Root, "Protocols", "Groupware.Rpc", "Protos");
        var run = await ExternalProcess.RunAsync(python, ["-c", Script, protos, $"{node.EndPoint("rpc").Port}", node.Certificates!.CertificateFile, login,
            Password, $"{legacy.EndPoint("rpcclear").Port}", $"{node.EndPoint("lmtp").Port}"], timeout: TimeSpan.FromSeconds(90));
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        var result = JsonDocument.Parse(run.Output.Trim().Split('\n')[^1]).RootElement;
        Assert.That(result.GetProperty("h2c_to_tls_port").GetString(), Is.Not.EqualTo("OK"));
        Assert.That(result.GetProperty("legacy_clear").GetString(), Is.EqualTo("PERMISSION_DENIED"));
        Assert.That(result.GetProperty("legacy_reason").GetString(), Is.EqualTo("plaintext-refused"));
        Assert.That(result.GetProperty("made").GetString(), Is.EqualTo("From Python"));
        Assert.That(result.GetProperty("query").ToString(), Is.EqualTo("[[\"py item\",false],1]"));
        Assert.That(result.GetProperty("get_subject").GetString(), Is.EqualTo("py item"));
        Assert.That(result.GetProperty("get_content").GetBoolean(), Is.True);
        Assert.That(result.GetProperty("stale_update").GetString(), Is.EqualTo("FAILED_PRECONDITION"));
        Assert.That(result.GetProperty("sync").ToString(), Is.EqualTo("[1,0,[1],1,true]"), "one ADDED, then one CHANGED with the read flag");
        Assert.That(result.GetProperty("moved_away").GetBoolean(), Is.True);
        Assert.That(result.GetProperty("delivered").GetString(), Is.EqualTo("250"));
        Assert.That(result.GetProperty("notified").ToString(), Is.EqualTo("[true,1,2]"), "the inbox now holds the moved item and the delivery");
        Assert.That(result.GetProperty("after_logoff").GetString(), Is.EqualTo("UNAUTHENTICATED"));
    }
}
