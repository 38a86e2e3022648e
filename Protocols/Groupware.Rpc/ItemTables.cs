using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Groupware.Rpc.V1;
using Groupware.Storage.Tables;
using StoreRelation = Groupware.Storage.Tables.Relation;

namespace Groupware.Rpc;

/// <summary>
/// Turns the contract's property tags, values and restriction trees (MAPI's SPropValue and
/// SRestriction) into the store's item tables (<see cref="ItemTable"/>), refusing an unknown
/// property and a tree beyond <see cref="RpcOptions.MaxRestrictionDepth"/> or
/// <see cref="RpcOptions.MaxRestrictionNodes"/> with the limit named.
/// </summary>
internal sealed class ItemTables(RpcOptions options, TableKind kind)
{
    private int _nodes;

    public TableKind Kind => kind;

    /// <summary>The store's column for a tag in this table; INVALID_ARGUMENT "unknown-property" when it has none.</summary>
    public TableColumn Column(PropTag tag, string field)
    {
        TableColumn? column = (kind, tag) switch
        {
            (TableKind.Mail, PropTag.ItemId) => TableColumn.Uid,
            (TableKind.Mail, PropTag.ChangeKey) => TableColumn.ModSeq,
            (TableKind.Mail, PropTag.Subject) => TableColumn.Subject,
            (TableKind.Mail, PropTag.From) => TableColumn.From,
            (TableKind.Mail, PropTag.To) => TableColumn.To,
            (TableKind.Mail, PropTag.SentDate) => TableColumn.SentDate,
            (TableKind.Mail, PropTag.ReceivedDate) => TableColumn.ReceivedDate,
            (TableKind.Mail, PropTag.MessageFlags) => TableColumn.MessageFlags,
            (TableKind.Mail, PropTag.Read) => TableColumn.Read,
            (TableKind.Mail, PropTag.Flagged) => TableColumn.Flagged,
            (TableKind.Mail, PropTag.MessageId) => TableColumn.MessageId,
            (TableKind.Mail, PropTag.Preview) => TableColumn.Preview,
            (_, PropTag.Size) => TableColumn.Size,
            (TableKind.Calendar, PropTag.ItemId) => TableColumn.ObjectName,
            (TableKind.Calendar, PropTag.ChangeKey) => TableColumn.ETag,
            (TableKind.Calendar, PropTag.Start) => TableColumn.Start,
            (TableKind.Calendar, PropTag.End) => TableColumn.End,
            (TableKind.Calendar, PropTag.IcalUid) => TableColumn.ICalUid,
            (TableKind.Calendar, PropTag.Component) => TableColumn.Component,
            _ => null,
        };
        return column ?? throw RpcErrors.BadRequest("unknown-property", field,
            $"{tag} is not a property of {(kind == TableKind.Mail ? "mail" : "calendar")} items");
    }

    /// <summary>The store's restriction for a tree; null for none.</summary>
    public TableRestriction? Restriction(V1.Restriction? restriction)
    {
        if (restriction is null || restriction.KindCase == V1.Restriction.KindOneofCase.None)
        {
            return null;
        }

        _nodes = 0;
        return Read(restriction, 1, "restriction");
    }

    private TableRestriction Read(V1.Restriction node, int depth, string field)
    {
        if (depth > options.MaxRestrictionDepth)
        {
            throw RpcErrors.OverLimit("restriction-too-deep", "Rpc:MaxRestrictionDepth", options.MaxRestrictionDepth, field, "the restriction is nested too deeply");
        }

        if (++_nodes > options.MaxRestrictionNodes)
        {
            throw RpcErrors.OverLimit("restriction-too-big", "Rpc:MaxRestrictionNodes", options.MaxRestrictionNodes, field, "the restriction has too many nodes");
        }

        switch (node.KindCase)
        {
            case V1.Restriction.KindOneofCase.AllOf:
                return new AllOf([.. node.AllOf.Restrictions.Select((r, i) => Read(r, depth + 1, $"{field}.all_of[{i}]"))]);
            case V1.Restriction.KindOneofCase.AnyOf:
                return new AnyOf([.. node.AnyOf.Restrictions.Select((r, i) => Read(r, depth + 1, $"{field}.any_of[{i}]"))]);
            case V1.Restriction.KindOneofCase.Negate:
                return new Negation(Read(node.Negate, depth + 1, field + ".negate"));
            case V1.Restriction.KindOneofCase.Property:
            {
                var tag = node.Property.Tag;
                var column = Restrictable(tag, field + ".property.tag");
                var type = ItemTable.Column(kind, column)!.Value.Type;
                return new PropertyCompare(column, Relation(node.Property.Relation), Value(node.Property.Value, type, tag, field + ".property.value"));
            }

            case V1.Restriction.KindOneofCase.Content:
            {
                var column = Restrictable(node.Content.Tag, field + ".content.tag");
                return ItemTable.Column(kind, column)!.Value.Type != ColumnType.Text
                    ? throw RpcErrors.BadRequest("not-text", field + ".content.tag", $"{node.Content.Tag} is not a text property")
                    : new ContentMatch(column, node.Content.Substring, node.Content.IgnoreCase);
            }

            case V1.Restriction.KindOneofCase.Bitmask:
                Column(PropTag.MessageFlags, field + ".bitmask");
                return new BitmaskMatch((int)(node.Bitmask.Mask & 31), node.Bitmask.AllSet);
            case V1.Restriction.KindOneofCase.Exists:
                return new Exists(Restrictable(node.Exists.Tag, field + ".exists.tag"));
            case V1.Restriction.KindOneofCase.Size:
                return new SizeCompare(Relation(node.Size.Relation), node.Size.Size);
            case V1.Restriction.KindOneofCase.TimeRange:
                return new TimeRange(node.TimeRange.Start?.ToDateTimeOffset(), node.TimeRange.End?.ToDateTimeOffset());
            default:
                throw RpcErrors.BadRequest("unknown-restriction", field, "an empty or unknown restriction");
        }
    }

    /// <summary>Ids and change keys are the server's; a client compares them, it does not filter by them.</summary>
    private TableColumn Restrictable(PropTag tag, string field) => tag is PropTag.ItemId or PropTag.ChangeKey
        ? throw RpcErrors.BadRequest("not-restrictable", field, $"{tag} cannot be restricted on")
        : Column(tag, field);

    private static StoreRelation Relation(V1.Relation relation) => relation switch
    {
        V1.Relation.Eq => StoreRelation.Equal,
        V1.Relation.Ne => StoreRelation.NotEqual,
        V1.Relation.Lt => StoreRelation.Less,
        V1.Relation.Le => StoreRelation.LessOrEqual,
        V1.Relation.Gt => StoreRelation.Greater,
        V1.Relation.Ge => StoreRelation.GreaterOrEqual,
        _ => throw RpcErrors.BadRequest("unknown-relation", "relation", $"unknown relation {relation}"),
    };

    private static object Value(PropValue? value, ColumnType type, PropTag tag, string field) => (type, value?.ValueCase) switch
    {
        (ColumnType.Text, PropValue.ValueOneofCase.Text) => value!.Text,
        (ColumnType.Number, PropValue.ValueOneofCase.Integer) => value!.Integer,
        (ColumnType.Boolean, PropValue.ValueOneofCase.Boolean) => value!.Boolean,
        (ColumnType.Time, PropValue.ValueOneofCase.Time) => value!.Time.ToDateTimeOffset(),
        _ => throw RpcErrors.BadRequest("wrong-type", field, $"{tag} compares with a {type.ToString().ToLowerInvariant()} value"),
    };

    /// <summary>A stored value as the contract's, for a tag (ids and change keys as their opaque text).</summary>
    public static PropValue Output(PropTag tag, object? value, Func<string, string> itemId) => (tag, value) switch
    {
        (_, null) => new PropValue(),
        (PropTag.ItemId, _) => new PropValue { Text = itemId(Convert.ToString(value, CultureInfo.InvariantCulture)!) },
        (PropTag.ChangeKey, long modSeq) => new PropValue { Text = RpcIds.ChangeKey(modSeq) },
        (_, string text) => new PropValue { Text = text },
        (_, long number) => new PropValue { Integer = number },
        (_, bool flag) => new PropValue { Boolean = flag },
        (_, DateTimeOffset time) => new PropValue { Time = Timestamp.FromDateTimeOffset(time) },
        _ => new PropValue(),
    };
}
